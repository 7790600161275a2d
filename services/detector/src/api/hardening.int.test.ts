// The defences every route shares: body limit, rate limit, security headers, no-store, request ids,
// one error shape without internals, deny by default, and logs without secrets.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  analyst,
  call,
  detectedFlag,
  noticeFor,
  openTestStore,
  PROTECTED_ROUTES,
  reader,
  seedFlags,
  seedNotices,
  testApi,
  token,
  tokenFor,
  user,
} from "./fixtures.ts";

describe("hardening", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    store = await openTestStore();
    await seedFlags(store.sql, [detectedFlag("f1")]);
    await seedNotices(store.sql, [noticeFor("n1", "f1", { userId: "alice" })]);
  });
  afterAll(() => store.close());

  it("answers 413 to a body over API_MAX_BODY_BYTES on every route that takes one, before acting", async () => {
    const { app } = testApi(store.sql, { API_MAX_BODY_BYTES: 512 });
    const posts = PROTECTED_ROUTES.filter((route) => route.body !== undefined);
    expect(posts.length).toBeGreaterThan(0);
    for (const route of posts) {
      const padded = JSON.stringify({ ...(route.body as object), note: "x".repeat(600) });
      const bearer = await tokenFor(route.rule, "alice");
      // Declared by Content-Length (refused before reading) and undeclared (refused while reading).
      const declared = { "content-length": String(Buffer.byteLength(padded)) };
      for (const headers of [declared, {}]) {
        const response = await call(app, route.method, route.path, { token: bearer, body: padded, headers });
        expect(response.status, route.endpoint).toBe(413);
        expect(response.json.error).toMatchObject({ code: "payload_too_large" });
      }
    }
    const notices = await call(app, "GET", "/v1/me/notices", { token: await user("alice") });
    expect(notices.json.items[0].response).toBeNull();
    const flag = await call(app, "GET", "/v1/flags/f1", { token: await reader() });
    expect(flag.json.resolution).toBeNull();
  });

  it("answers 429 with Retry-After once a token has spent its minute, per subject, and resets", async () => {
    let now = new Date("2026-11-05T10:00:15.000Z");
    const { app } = testApi(store.sql, { API_RATE_LIMIT_PER_MINUTE: 3, now: () => now });
    const alice = await user("alice");
    for (let i = 0; i < 3; i++)
      expect((await call(app, "GET", "/v1/me/notices", { token: alice })).status).toBe(200);
    const limited = await call(app, "GET", "/v1/me/notices", { token: alice });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(limited.headers.get("retry-after")).toBe("45");
    // A fresh token of the same subject shares the budget; another subject has its own.
    expect((await call(app, "GET", "/v1/me/notices", { token: await user("alice") })).status).toBe(429);
    expect((await call(app, "GET", "/v1/me/notices", { token: await user("bob") })).status).toBe(200);
    now = new Date("2026-11-05T10:01:00.000Z");
    expect((await call(app, "GET", "/v1/me/notices", { token: alice })).status).toBe(200);
  });

  it("limits callers without a valid token by address, so guessing tokens is slow", async () => {
    const { app } = testApi(store.sql, { API_RATE_LIMIT_PER_MINUTE: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(app, "GET", "/v1/flags", { token: `guess.${i}.x` })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it("behind @hono/node-server: strangers are limited by their address, which never reaches the logs", async () => {
    const { app, logs } = testApi(store.sql, { API_RATE_LIMIT_PER_MINUTE: 2 });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`http://127.0.0.1:${port}/v1/flags`)).status);
      expect(statuses).toEqual([401, 401, 429]);
      const alice = { authorization: `Bearer ${await user("alice")}` };
      expect((await fetch(`http://127.0.0.1:${port}/v1/me/notices`, { headers: alice })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain("127.0.0.1");
  });

  it("never rate-limits the probes", async () => {
    const { app } = testApi(store.sql, { API_RATE_LIMIT_PER_MINUTE: 1 });
    for (let i = 0; i < 5; i++) expect((await call(app, "GET", "/healthz")).status).toBe(200);
  });

  it("sends security headers on answers and errors, and no-store on everything under /v1", async () => {
    const { app } = testApi(store.sql);
    const ok = await call(app, "GET", "/v1/flags", { token: await reader() });
    const refused = await call(app, "GET", "/v1/flags");
    const missing = await call(app, "GET", "/v1/nothing");
    for (const response of [ok, refused, missing]) {
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("strict-transport-security")).toMatch(/max-age=/);
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    const health = await call(app, "GET", "/healthz");
    expect(health.headers.get("x-content-type-options")).toBe("nosniff");
    expect(health.headers.get("cache-control")).toBeNull();
  });

  it("answers with Vigil's own request id whatever the caller sent, and puts it in error bodies", async () => {
    const { app } = testApi(store.sql);
    const sent = await call(app, "GET", "/v1/flags", { headers: { "x-request-id": "trace-42_a=b" } });
    expect(sent.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.json.error.requestId).toBe(sent.headers.get("x-request-id"));
    const unsafe = await call(app, "GET", "/healthz", {
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await call(app, "GET", "/nope");
    expect(generated.json.error.requestId).toBe(generated.headers.get("x-request-id"));
  });

  it("answers unknown routes and methods with the one error shape", async () => {
    const { app } = testApi(store.sql);
    for (const [method, path] of [
      ["GET", "/v2/flags"],
      ["DELETE", "/v1/flags/f1"],
      ["PUT", "/v1/audit"],
      ["GET", "/v1/flags/f1/resolution"],
    ] as const) {
      const response = await call(app, method, path, { token: await analyst() });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({
        error: { code: "not_found", message: "no such route", requestId: expect.any(String) },
      });
    }
  });

  it("denies by default: a route missing from the access table is unreachable, whatever the token", async () => {
    const { app } = testApi(store.sql);
    app.get("/v1/secrets", (c) => c.json({ secret: "leaked" }));
    app.get("/debug", (c) => c.json({ secret: "leaked" }));
    for (const path of ["/v1/secrets", "/debug"]) {
      for (const bearer of [await token({ scope: "flags:read flags:write audit:read" }), undefined]) {
        const response = await call(app, "GET", path, bearer ? { token: bearer } : {});
        expect(response.status).toBe(404);
        expect(response.text).not.toContain("leaked");
      }
    }
  });

  it("hides internal failures behind a 500 without details, and logs them with the request id", async () => {
    const broken = await openTestStore();
    await broken.close();
    const { app, logs } = testApi(broken.sql);
    const calls: [string, string][] = [
      [await user("alice"), "/v1/me/notices"],
      [await reader(), "/v1/flags"],
    ];
    for (const [bearer, path] of calls) {
      const response = await call(app, "GET", path, { token: bearer });
      expect(response.status).toBe(500);
      expect(response.json).toEqual({
        error: {
          code: "internal",
          message: "internal error",
          requestId: response.headers.get("x-request-id"),
        },
      });
      expect(response.text).not.toMatch(/at .*\.ts|stack|pglite|closed/i);
    }
    const errors = logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ msg: "request failed", requestId: expect.any(String) });
    expect(errors[0].err.stack).toEqual(expect.any(String));
  });

  it("never writes a token to the logs, at any level", async () => {
    const { app, logs } = testApi(store.sql);
    const tokens = [await analyst(), await token({ exp: 1 }), "forgedpartone.forgedparttwo.forgedpartthree"];
    for (const bearer of tokens) {
      for (const route of PROTECTED_ROUTES) {
        await call(app, route.method, route.path, { token: bearer, ...(route.body ? { body: "{" } : {}) });
      }
    }
    expect(logs.length).toBeGreaterThan(0);
    for (const bearer of tokens) expect(logs.join("\n")).not.toContain(bearer.split(".")[1] as string);
  });
});
