// Every call to a scoped (analyst or operator) route lands in the audit log with who, what, which
// target and how it ended, refused and failed calls included; users' /v1/me calls do not.
import { listAudit } from "@vigil/store";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  analyst,
  call,
  detectedFlag,
  noticeFor,
  openTestStore,
  reader,
  seedFlags,
  seedNotices,
  testApi,
  user,
} from "./fixtures.ts";

describe("audit log of analyst calls", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let metrics: ReturnType<typeof testApi>["metrics"];
  let seen = 0;

  beforeAll(async () => {
    store = await openTestStore();
    ({ app, metrics } = testApi(store.sql, { API_MAX_BODY_BYTES: 512 }));
    await seedFlags(store.sql, [detectedFlag("f1", { userId: "alice" })]);
    await seedNotices(store.sql, [noticeFor("n1", "f1", { userId: "alice" })]);
  });
  afterAll(() => store.close());
  beforeEach(async () => {
    seen = (await listAudit(store.sql, { limit: 10_000 })).length;
  });

  /** The entries written since the test began, oldest first. */
  const written = async () =>
    (await listAudit(store.sql, { limit: 10_000 })).slice(0, -seen || undefined).reverse();

  it("records reads with the subject, the route pattern, the target, the status and the request id", async () => {
    const bearer = await reader();
    const list = await call(app, "GET", "/v1/flags?userId=alice", { token: bearer });
    const one = await call(app, "GET", "/v1/flags/f1", { token: bearer });
    const missing = await call(app, "GET", "/v1/flags/f%2F9", { token: bearer });
    expect(await written()).toEqual([
      {
        at: expect.any(String),
        subject: "analyst-2",
        action: "GET /v1/flags",
        target: "alice",
        status: 200,
        requestId: list.headers.get("x-request-id"),
        callerRequestId: null,
      },
      expect.objectContaining({
        action: "GET /v1/flags/{id}",
        target: "f1",
        status: 200,
        requestId: one.headers.get("x-request-id"),
      }),
      expect.objectContaining({
        action: "GET /v1/flags/{id}",
        target: "f/9",
        status: 404,
        requestId: missing.headers.get("x-request-id"),
      }),
    ]);
  });

  it("records writes, and calls refused for scope, validation or size", async () => {
    await call(app, "POST", "/v1/flags/f1/resolution", {
      token: await analyst(),
      body: { verdict: "legitimate" },
    });
    await call(app, "POST", "/v1/flags/f1/resolution", {
      token: await reader(),
      body: { verdict: "compromised" },
    });
    await call(app, "POST", "/v1/flags/f1/resolution", {
      token: await analyst(),
      body: { verdict: "maybe" },
    });
    await call(app, "POST", "/v1/flags/f1/resolution", {
      token: await analyst(),
      body: { verdict: "legitimate", note: "x".repeat(600) },
    });
    await call(app, "GET", "/v1/audit", { token: await reader() });
    expect(
      (await written()).map(({ subject, action, target, status }) => ({ subject, action, target, status })),
    ).toEqual([
      { subject: "analyst-1", action: "POST /v1/flags/{id}/resolution", target: "f1", status: 200 },
      { subject: "analyst-2", action: "POST /v1/flags/{id}/resolution", target: "f1", status: 403 },
      { subject: "analyst-1", action: "POST /v1/flags/{id}/resolution", target: "f1", status: 400 },
      { subject: "analyst-1", action: "POST /v1/flags/{id}/resolution", target: "f1", status: 413 },
      // An analyst reaching beyond their scopes is recorded: that is what operators want to see.
      { subject: "analyst-2", action: "GET /v1/audit", target: null, status: 403 },
    ]);
  });

  it("does not record /v1/me calls, probes, or callers who never authenticated", async () => {
    await call(app, "GET", "/v1/me/notices", { token: await user("alice") });
    await call(app, "POST", "/v1/me/notices/n1/response", {
      token: await user("alice"),
      body: { wasMe: true },
    });
    await call(app, "GET", "/v1/me/notices", { token: await analyst() });
    await call(app, "GET", "/healthz");
    await call(app, "GET", "/v1/flags");
    await call(app, "GET", "/v1/flags", { token: "not.a.token" });
    expect(await written()).toEqual([]);
  });

  it("refuses end users' tokens on analyst routes before any audit write, and counts them", async () => {
    const refused = async () =>
      (await metrics.registry.getSingleMetric("vigil_api_refused_unaudited_total")?.get())?.values.reduce(
        (sum, v) => sum + v.value,
        0,
      ) ?? 0;
    const before = await refused();
    const mallory = await user("mallory");
    const answers = await Promise.all([
      call(app, "GET", "/v1/flags?userId=alice", { token: mallory }),
      call(app, "GET", "/v1/flags/f1", { token: mallory }),
      call(app, "POST", "/v1/flags/f1/resolution", { token: mallory, body: { verdict: "legitimate" } }),
      call(app, "GET", "/v1/audit", { token: await user("eve") }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect(answers[0]?.json).toMatchObject({ error: { code: "forbidden" } });
    expect(await written()).toEqual([]);
    expect((await refused()) - before).toBe(4);
  });

  it("records Vigil's own request id, and the caller's apart, bounded", async () => {
    const sent = await call(app, "GET", "/v1/flags/f1", {
      token: await reader(),
      headers: { "x-request-id": "trace-42" },
    });
    const long = await call(app, "GET", "/v1/flags/f1", {
      token: await reader(),
      headers: { "x-request-id": "y".repeat(5000) },
    });
    const own = sent.headers.get("x-request-id");
    expect(own).toMatch(/^[0-9a-f-]{36}$/);
    expect(await written()).toEqual([
      expect.objectContaining({ requestId: own, callerRequestId: "trace-42" }),
      expect.objectContaining({
        requestId: long.headers.get("x-request-id"),
        callerRequestId: "y".repeat(256),
      }),
    ]);
  });

  it("records a NUL in ?userId= cleaned, refuses that call alone, and answers the concurrent ones", async () => {
    const bearer = await reader();
    const answers = await Promise.all([
      call(app, "GET", "/v1/flags?userId=alice", { token: bearer }),
      call(app, "GET", "/v1/flags?userId=al%00ice", { token: bearer }),
      call(app, "GET", "/v1/flags?userId=alice", { token: bearer }),
      call(app, "GET", "/v1/flags/f1%00", { token: bearer }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 400, 200, 400]);
    expect(answers[0]?.json.items).toHaveLength(1);
    expect((await written()).map(({ target, status }) => ({ target, status }))).toEqual(
      expect.arrayContaining([
        { target: "alice", status: 200 },
        { target: "al ice", status: 400 },
        { target: "f1", status: 400 },
      ]),
    );
  });

  it("serves no flags when the call cannot be recorded, whichever way the flags are read", async () => {
    // Every new entry now breaks a constraint; the flags stay readable.
    await store.sql.query("alter table audit_log add constraint refuse_all check (false) not valid");
    try {
      for (const path of ["/v1/flags?userId=alice", "/v1/flags?userId=alice&status=open", "/v1/flags"]) {
        const response = await call(app, "GET", path, { token: await reader() });
        expect(response.status).toBe(500);
        // The one error shape and nothing else: no flag, whatever the random request id contains.
        expect(response.json).toEqual({
          error: { code: "internal", message: "internal error", requestId: expect.any(String) },
        });
      }
    } finally {
      await store.sql.query("alter table audit_log drop constraint refuse_all");
    }
    expect(await written()).toEqual([]);
  });

  it("offers no way to change or delete entries", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const response = await call(app, method, "/v1/audit", { token: await analyst(), body: {} });
      expect(response.status).toBe(404);
    }
    expect(await written()).toEqual([]);
  });
});
