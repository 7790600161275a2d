import { readdir, readFile } from "node:fs/promises";
import type { Sql } from "./sql.ts";

const folder = new URL("./migrations/", import.meta.url);

/**
 * Applies the numbered SQL files in `migrations/` that have not run yet, each in its own transaction;
 * with `through`, only those up to that file (a database as an older version left it).
 */
export async function migrate(sql: Sql, through?: string): Promise<string[]> {
  // Replicas starting together must not apply the same migration twice, nor create the table of
  // applied ones at the same time (concurrent `create table if not exists` can fail on pg_type).
  // A migration may rewrite a large table: the pool's statement timeout is not meant for it.
  const serialized = async (tx: Sql) => {
    if (tx.kind === "postgres") await tx.query("select pg_advisory_xact_lock(7341)");
  };
  await sql.transaction(
    async (tx) => {
      await serialized(tx);
      await tx.query(
        "create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())",
      );
    },
    { unbounded: true },
  );
  const files = (await readdir(folder))
    .filter((name) => name.endsWith(".sql") && (through === undefined || name <= through))
    .sort();
  const applied: string[] = [];
  for (const name of files) {
    const done = await sql.transaction(
      async (tx) => {
        await serialized(tx);
        const seen = await tx.query("select 1 from schema_migrations where name = $1", [name]);
        if (seen.rows.length > 0) return false;
        const text = await readFile(new URL(name, folder), "utf8");
        for (const statement of splitStatements(text)) await tx.query(statement);
        await tx.query("insert into schema_migrations (name) values ($1)", [name]);
        return true;
      },
      { unbounded: true },
    );
    if (done) applied.push(name);
  }
  return applied;
}

/** Splits on semicolons that end a line: migrations keep one statement per `;`-terminated block. */
function splitStatements(text: string): string[] {
  return text
    .replace(/--.*$/gm, "")
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
