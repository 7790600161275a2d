import { randomBytes } from "node:crypto";
import pg from "pg";
import type { DetectedFlag } from "./flags.ts";
import { openStore } from "./index.ts";
import type { Sql } from "./sql.ts";
import { type TcpProxy, tcpProxy } from "./tcpProxy.ts";

export { type TcpProxy, tcpProxy };

/** The server the integration tests use: the machine's PostgreSQL unless told otherwise. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A proxy to the test server that the test can cut or silence (`tcpProxy`), and `through(url)`: a
 * database URL on that server rewritten to reach it through the proxy.
 */
export async function postgresProxy(): Promise<TcpProxy & { through(url: string): string }> {
  const server = new URL(testPostgresUrl);
  const proxy = await tcpProxy(server.hostname, Number(server.port || 5432));
  return Object.assign(proxy, {
    through(url: string): string {
      const viaProxy = new URL(url);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      return viaProxy.toString();
    },
  });
}

/** A fresh, uniquely named database on the test server, dropped again by `drop()`. */
export async function temporaryDatabase(
  adminUrl = testPostgresUrl,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The store on each backend it runs on, fresh and migrated: embedded PGlite and a temporary PostgreSQL database. */
export const storeBackends: [string, () => Promise<{ sql: Sql; done(): Promise<void> }>][] = [
  [
    "pglite",
    async () => {
      const sql = await openStore({ dataDir: "memory://" });
      return { sql, done: () => sql.close() };
    },
  ],
  [
    "postgres",
    async () => {
      const db = await temporaryDatabase();
      const sql = await openStore({ url: db.url });
      return {
        sql,
        async done() {
          await sql.close();
          await db.drop();
        },
      };
    },
  ],
];

/** A medium flag of u1 for a login from Paris, with whatever `over` changes. */
export const detectedFlag = (id: string, over: Partial<DetectedFlag> = {}): DetectedFlag => ({
  id,
  userId: "u1",
  sessionId: `s-${id}`,
  severity: "medium",
  score: 50,
  reasons: [{ code: "new_country", message: "Login from France" }],
  location: { country: "FR", city: "Paris" },
  firstEventAt: "2026-11-01T10:00:00.000Z",
  lastEventAt: "2026-11-01T10:00:00.000Z",
  eventCount: 1,
  ...over,
});
