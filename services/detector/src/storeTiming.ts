import type { Sql } from "@vigil/store";
import type { Metrics } from "./metrics.ts";

const TABLE = /\b(?:into|from|update)\s+([a-z_][a-z0-9_]*)/i;
const labels = new Map<string, string>();

/** `insert user_states`, `select flags`: the verb and first table of a statement, for metric labels. */
export function statementOf(text: string): string {
  let label = labels.get(text);
  if (label === undefined) {
    const verb = /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? "other";
    const table = TABLE.exec(text)?.[1];
    label = table === undefined ? verb : `${verb} ${table}`;
    if (labels.size < 500) labels.set(text, label);
  }
  return label;
}

/** The same database, with every query's duration observed by statement (inside transactions too). */
export function timedSql(sql: Sql, metrics: Metrics): Sql {
  const wrap = (inner: Sql): Sql => ({
    kind: inner.kind,
    async query(text, params) {
      const stop = metrics.storeQuerySeconds.startTimer({ statement: statementOf(text) });
      try {
        return await inner.query(text, params);
      } finally {
        stop();
      }
    },
    transaction: (work) => inner.transaction((tx) => work(wrap(tx))),
    close: () => inner.close(),
  });
  return wrap(sql);
}
