import { migrate } from "./migrate.ts";
import { type DatabaseOptions, openDatabase, type Sql } from "./sql.ts";

export * from "./audit.ts";
export * from "./batch.ts";
export * from "./counters.ts";
export * from "./events.ts";
export * from "./flags.ts";
export * from "./logins.ts";
export * from "./migrate.ts";
export * from "./notices.ts";
export * from "./offsets.ts";
export * from "./outbox.ts";
export * from "./page.ts";
export * from "./queue.ts";
export * from "./retention.ts";
export * from "./sql.ts";
export * from "./states.ts";

/** Opens PostgreSQL (`url`) or the embedded PGlite and brings its schema up to date. */
export async function openStore(options: DatabaseOptions): Promise<Sql> {
  const sql = await openDatabase(options);
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return sql;
}

/** True when the database answers a trivial query. */
export async function storeAnswers(sql: Sql): Promise<boolean> {
  try {
    await sql.query("select 1");
    return true;
  } catch {
    return false;
  }
}
