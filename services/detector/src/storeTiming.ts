import type { Sql } from "@vigil/store";
import type { Metrics } from "./metrics.ts";

const TABLE = /\b(?:into|from|update)\s+([a-z_][a-z0-9_]*)/i;
/** Writes in a statement; `update` followed by `set` is an upsert's `do update set`, not a table. */
const WRITE = /\b(?:(insert)\s+into|(delete)\s+from|(update))\s+(?!set\b)([a-z_][a-z0-9_]*)/gi;
const labels = new Map<string, string>();

/**
 * `insert user_states`, `select flags`: the verb and first table of a statement, for metric labels.
 * A `with` query is named by the write it ends in (`insert events`), or else as a select.
 */
export function statementOf(text: string): string {
  let label = labels.get(text);
  if (label === undefined) {
    label = labelOf(text);
    if (labels.size < 500) labels.set(text, label);
  }
  return label;
}

function labelOf(text: string): string {
  let verb = /^\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? "other";
  if (verb === "with") {
    const last = [...text.matchAll(WRITE)].at(-1);
    if (last) return `${(last[1] ?? last[2] ?? last[3] ?? "").toLowerCase()} ${last[4]}`;
    verb = "select";
  }
  const table = TABLE.exec(text)?.[1];
  return table === undefined ? verb : `${verb} ${table}`;
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
