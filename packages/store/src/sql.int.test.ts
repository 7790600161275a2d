// Connections to PostgreSQL as the service opens them: a pool's own statement timeout and name, and
// TLS asked for in DATABASE_URL, which node-postgres never downgrades to clear text.
import { expect, it } from "vitest";
import { openDatabase } from "./index.ts";
import { testPostgresUrl } from "./testing.ts";

it("cancels a pool's statement that runs longer than its statement timeout, and names its sessions", async () => {
  const sql = await openDatabase({
    url: testPostgresUrl,
    statementTimeoutMs: 150,
    applicationName: "vigil-api",
  });
  try {
    const settings = await sql.query<{ timeout: string; name: string }>(
      "select current_setting('statement_timeout') as timeout, current_setting('application_name') as name",
    );
    expect(settings.rows).toEqual([{ timeout: "150ms", name: "vigil-api" }]);
    await expect(sql.query("select pg_sleep(30)")).rejects.toMatchObject({ code: "57014" });
    // Inside a transaction too (the consumer's batches), and the pool goes on serving.
    await expect(sql.transaction((tx) => tx.query("select pg_sleep(30)"))).rejects.toMatchObject({
      code: "57014",
    });
    expect((await sql.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  } finally {
    await sql.close();
  }
});

it("refuses a server without TLS when DATABASE_URL asks for sslmode=require", async () => {
  const url = new URL(testPostgresUrl);
  url.searchParams.set("sslmode", "require");
  const sql = await openDatabase({ url: url.toString() });
  try {
    await expect(sql.query("select 1")).rejects.toThrow(/does not support SSL/);
  } finally {
    await sql.close();
  }
});
