import type { Sql } from "@vigil/store";
import type { Metrics } from "./metrics.ts";

/** The same database, with every query's duration observed (inside transactions too). */
export function timedSql(sql: Sql, metrics: Metrics): Sql {
  const wrap = (inner: Sql): Sql => ({
    kind: inner.kind,
    async query(text, params) {
      const stop = metrics.storeQuerySeconds.startTimer();
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
