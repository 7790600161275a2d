// Test fixtures for the API suites: a real store (PGlite or the machine's PostgreSQL), an app wired
// to it, tokens (good and forged) and seed data written through the store's own functions.
import { createHmac } from "node:crypto";
import type { Notice } from "@vigil/events";
import {
  type DetectedFlag,
  type EventRecord,
  insertEvents,
  insertNotices,
  openStore,
  type Sql,
  upsertFlags,
} from "@vigil/store";
import { temporaryDatabase } from "@vigil/store/testing";
import { sign } from "hono/jwt";
import pino from "pino";
import { createMetrics } from "../metrics.ts";
import type { AccessRule } from "./access.ts";
import { ACCESS, type ApiDeps, createApi, type Endpoint } from "./index.ts";

export const SECRET = "an-hs256-test-secret-of-at-least-32-chars";

export type Backend = "pglite" | "postgres";
export const BACKENDS: Backend[] = ["pglite", "postgres"];

export async function openTestStore(
  backend: Backend = "pglite",
): Promise<{ sql: Sql; close(): Promise<void> }> {
  if (backend === "pglite") {
    const sql = await openStore({ dataDir: "memory://" });
    return { sql, close: () => sql.close() };
  }
  const db = await temporaryDatabase();
  const sql = await openStore({ url: db.url });
  return {
    sql,
    async close() {
      await sql.close();
      await db.drop();
    },
  };
}

export type TestOptions = Partial<ApiDeps["config"]> & Partial<Pick<ApiDeps, "now" | "readiness" | "topics">>;

/** The API over `sql`, with its log lines collected in `logs` (as JSON text) for assertions. */
export function testApi(sql: Sql, options: TestOptions = {}) {
  const { now, readiness, topics, ...config } = options;
  const logs: string[] = [];
  const log = pino({ level: "trace" }, { write: (line: string) => void logs.push(line) });
  const metrics = createMetrics();
  const app = createApi({
    sql,
    config: {
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_MAX_TTL: 86_400,
      API_RATE_LIMIT_PER_MINUTE: 100_000,
      API_MAX_BODY_BYTES: 16 * 1024,
      ...config,
    },
    log,
    metrics,
    readiness: readiness ?? (async () => ({ ready: true, checks: { consumer: true, store: true } })),
    ...(now ? { now } : {}),
    ...(topics ? { topics } : {}),
  });
  return { app, logs, metrics };
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** A valid HS256 token; `claims` override the defaults (set a claim to undefined to drop it). */
export function token(
  claims: Record<string, unknown> = {},
  secret = SECRET,
  alg: "HS256" | "HS512" = "HS256",
) {
  const payload = Object.fromEntries(
    Object.entries({ sub: "analyst-1", scope: "flags:read", exp: inAnHour(), ...claims }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return sign(payload, secret, alg);
}

export const analyst = () => token({ sub: "analyst-1", scope: "flags:read flags:write audit:read" });
export const reader = () => token({ sub: "analyst-2", scope: "flags:read" });
export const user = (sub: string) => token({ sub, scope: undefined });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token whose header names `alg`, "signed" with HMAC-SHA256 over the secret: the alg-confusion forgery. */
export function forged(alg: string, claims: Record<string, unknown> = {}, signature?: string): string {
  const head = `${b64({ alg, typ: "JWT" })}.${b64({ sub: "analyst-1", scope: "flags:read flags:write audit:read", exp: inAnHour(), ...claims })}`;
  return `${head}.${signature ?? createHmac("sha256", SECRET).update(head).digest("base64url")}`;
}

interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request through the app in process; the body parsed as JSON when it is JSON. */
export async function call(
  app: ReturnType<typeof createApi>,
  method: string,
  path: string,
  options: CallOptions = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape the route answered.
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

type BodyEndpoint = Extract<Endpoint, `POST ${string}`>;

/** A valid body for each route that takes one: a new POST route does not compile until it has one. */
const SAMPLE_BODIES: Record<BodyEndpoint, unknown> = {
  "POST /v1/flags/{id}/resolution": { verdict: "compromised" },
  "POST /v1/me/notices/{id}/response": { wasMe: false },
};

/** The ids the API suites seed, by the collection a path parameter follows. */
const SEEDED_IDS: Record<string, string> = { flags: "f1", notices: "n1" };

export interface RouteCall {
  endpoint: Endpoint;
  method: string;
  /** The route's pattern with the seeded flag `f1` or notice `n1` in place of `{id}`. */
  path: string;
  body?: unknown;
  rule: AccessRule;
}

/** A well-formed call to one route of the access table. */
function sampleCall(endpoint: Endpoint): RouteCall {
  const [method, pattern] = endpoint.split(" ") as [string, string];
  const path = pattern.replace(/\/(\w+)\/\{\w+\}/g, (parameter, collection: string) => {
    const id = SEEDED_IDS[collection];
    if (id === undefined) throw new Error(`no seeded id for ${parameter} in ${endpoint}`);
    return `/${collection}/${id}`;
  });
  const body = (SAMPLE_BODIES as Record<string, unknown>)[endpoint];
  return { endpoint, method, path, rule: ACCESS[endpoint], ...(body === undefined ? {} : { body }) };
}

/** Every route of the access table that needs a token, as a well-formed call. */
export const PROTECTED_ROUTES: RouteCall[] = (Object.keys(ACCESS) as Endpoint[])
  .filter((endpoint) => ACCESS[endpoint].kind !== "public")
  .map(sampleCall);

/** A token the route's rule lets in: its one scope, or any user's. */
export const tokenFor = (rule: AccessRule, sub = "u1") =>
  rule.kind === "scope" ? token({ sub, scope: rule.scope }) : user(sub);

export function detectedFlag(id: string, over: Partial<DetectedFlag> = {}): DetectedFlag {
  return {
    id,
    userId: "u1",
    sessionId: `s-${id}`,
    severity: "high",
    score: 70,
    reasons: [{ code: "new_country", message: "First login from France" }],
    location: { country: "FR", city: "Paris" },
    firstEventAt: "2026-11-01T10:00:00.000Z",
    lastEventAt: "2026-11-01T10:05:00.000Z",
    eventCount: 2,
    ...over,
  };
}

export const seedFlags = (sql: Sql, records: DetectedFlag[], now = new Date().toISOString()) =>
  upsertFlags(sql, records, now);

export function eventRecord(id: string, over: Partial<EventRecord> = {}): EventRecord {
  return {
    id,
    userId: "u1",
    sessionId: "s-f1",
    type: "login.succeeded",
    occurredAt: "2026-11-01T10:00:00.000Z",
    ip: "81.2.69.160",
    ipHash: "hash-1",
    network: "81.2.69.0/24",
    location: { country: "GB", region: "ENG", city: "London" },
    device: "Chrome on Windows",
    detail: { method: "password", mfa: false },
    ...over,
  };
}

export const seedEvents = (sql: Sql, records: EventRecord[]) => insertEvents(sql, records);

export function noticeFor(id: string, flagId: string, over: Partial<Notice> = {}): Notice {
  return {
    id,
    userId: "u1",
    flagId,
    sessionId: `s-${flagId}`,
    occurredAt: "2026-11-01T10:00:00.000Z",
    createdAt: "2026-11-01T10:01:00.000Z",
    location: { country: "FR", city: "Paris" },
    device: "Chrome on Windows",
    flagged: ["new_country"],
    title: "New sign-in from Paris, France",
    body: "Someone signed in to your account from Paris, France on a Windows computer.",
    actions: ["Review your sessions", "Change your password"],
    response: null,
    ...over,
  };
}

export const seedNotices = (sql: Sql, notices: Notice[]) =>
  insertNotices(sql, notices, { maxPerUser: 10_000, windowHours: 24 });

/** The outbox rows on one topic, their values parsed. */
export async function outboxOn(sql: Sql, topic: string): Promise<Record<string, unknown>[]> {
  const result = await sql.query<{ value: Uint8Array }>(
    "select value from outbox where topic = $1 order by seq",
    [topic],
  );
  return result.rows.map((row) => JSON.parse(Buffer.from(row.value).toString("utf8")));
}
