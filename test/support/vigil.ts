import { type Config, loadConfig } from "@vigil/detector/config";
import { createLogger } from "@vigil/detector/log";
import { startService } from "@vigil/detector/service";
import { temporaryDatabase } from "@vigil/store/testing";
import { sign } from "hono/jwt";
import pg from "pg";
import { isolatedTopics, testBrokers } from "./kafka.ts";

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123";
/** The IP hash key of tests on PostgreSQL (required with DATABASE_URL). */
export const TEST_IP_HASH_KEY = "test-ip-hash-key-0123456789abcdef";

export interface TestVigil {
  readonly url: string;
  config: Config;
  topics: ReturnType<typeof isolatedTopics>["topics"];
  /** A signed token for `sub` with these scopes, valid for an hour. */
  token(sub: string, scope?: string): Promise<string>;
  /** Stops the service and starts it again on the same database and topics (after `whileStopped`). */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  /** GET with a token; returns status and parsed JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes
  get(path: string, token: string): Promise<{ status: number; body: any }>;
  /** A client of the service's PostgreSQL database, opened on first use and closed by `stop`. */
  database(): Promise<pg.Client>;
  stop(): Promise<void>;
}

/**
 * Starts the real service in this process on the real broker (isolated topics and group) and on a
 * fresh database: PostgreSQL by default, or the embedded PGlite with `{ store: "pglite" }`.
 */
export async function startVigil(
  options: { store?: "postgres" | "pglite"; env?: Record<string, string> } = {},
): Promise<TestVigil> {
  const { prefix, topics } = isolatedTopics();
  const database = options.store === "pglite" ? null : await temporaryDatabase();
  const config = loadConfig({
    KAFKA_BROKERS: testBrokers().join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}vigil`,
    KAFKA_TOPIC_PARTITIONS: "3",
    ...(database ? { DATABASE_URL: database.url, IP_HASH_KEY: TEST_IP_HASH_KEY } : { DATA_DIR: "memory://" }),
    PORT: "0",
    AUTH_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    // A test's few accounts leave partitions without events; until those say they are idle, a
    // history waits for the by-source clock (docs/guarantees.md, "The same stream, the same verdicts").
    PARTITION_IDLE_SECONDS: "2",
    ...options.env,
  });
  let service = await startService(config, createLogger(config.LOG_LEVEL));
  const base = () => `http://127.0.0.1:${service.port}`;
  let client: Promise<pg.Client> | undefined;
  return {
    get url() {
      return base();
    },
    config,
    topics,
    token: (sub, scope = "") =>
      sign({ sub, scope, exp: Math.floor(Date.now() / 1000) + 3600 }, TEST_SECRET, "HS256"),
    async restart(whileStopped) {
      await service.stop();
      await whileStopped?.();
      service = await startService(config, createLogger(config.LOG_LEVEL));
    },
    async get(path, token) {
      const response = await fetch(`${base()}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    },
    database() {
      if (database === null) throw new Error("this Vigil runs on the embedded database");
      client ??= (async () => {
        const opened = new pg.Client({ connectionString: database.url });
        await opened.connect();
        return opened;
      })();
      return client;
    },
    async stop() {
      await (await client)?.end();
      await service.stop();
      await database?.drop();
    },
  };
}
