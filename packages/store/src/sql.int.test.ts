// Connections to PostgreSQL as the service opens them: a pool's own statement timeout and name, a
// server that stops answering, and TLS asked for in DATABASE_URL, which node-postgres never
// downgrades to clear text.
import { expect, it } from "vitest";
import { openDatabase } from "./index.ts";
import { postgresProxy, testPostgresUrl } from "./testing.ts";

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

it("lifts the statement timeout for an unbounded transaction (migrations, retention), and only for it", async () => {
  const sql = await openDatabase({ url: testPostgresUrl, statementTimeoutMs: 100 });
  try {
    const slept = await sql.transaction((tx) => tx.query("select pg_sleep(0.3) as slept"), {
      unbounded: true,
    });
    expect(slept.rowCount).toBe(1);
    await expect(sql.transaction((tx) => tx.query("select pg_sleep(0.3)"))).rejects.toMatchObject({
      code: "57014",
    });
  } finally {
    await sql.close();
  }
});

it("gives up a statement a silent server never answers, and a connection it never accepts", async () => {
  const proxy = await postgresProxy();
  const sql = await openDatabase({ url: proxy.through(testPostgresUrl), statementTimeoutMs: 200 });
  try {
    await sql.transaction((tx) => tx.query("select 1"));
    proxy.silence();
    // Without client timeouts each would wait for as long as TCP keeps the connection (minutes).
    await expect(sql.transaction((tx) => tx.query("select 1"))).rejects.toThrow(/read timeout/);
    // That connection is discarded; a new one never gets past the start-up exchange.
    await expect(sql.query("select 1")).rejects.toThrow(/connection timeout/);
  } finally {
    await sql.close().catch(() => {});
    await proxy.close();
  }
}, 30_000);

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
