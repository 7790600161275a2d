import type { Sql } from "@vigil/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, call, detectedFlag, openTestStore, reader, seedFlags, testApi } from "../fixtures.ts";

describe("GET /v1/flags", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let bearer: string;

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
    bearer = await reader();
    await seedFlags(
      store.sql,
      [detectedFlag("a1", { userId: "alice", severity: "low", score: 20 })],
      "2026-11-01T10:00:00Z",
    );
    await seedFlags(
      store.sql,
      [detectedFlag("b1", { userId: "bob", severity: "critical", score: 95 })],
      "2026-11-02T10:00:00Z",
    );
    await seedFlags(
      store.sql,
      [detectedFlag("a2", { userId: "alice", severity: "high", sessionId: "sx" })],
      "2026-11-03T10:00:00Z",
    );
  });
  afterAll(() => store.close());

  const ids = async (query: string) => {
    const response = await call(app, "GET", `/v1/flags${query}`, { token: bearer });
    expect(response.status).toBe(200);
    return response.json.items.map((flag: { id: string }) => flag.id);
  };

  it("lists flags newest first with every contract field and the resolution", async () => {
    const response = await call(app, "GET", "/v1/flags", { token: bearer });
    expect(response.status).toBe(200);
    expect(response.json.nextCursor).toBeNull();
    expect(response.json.items.map((f: { id: string }) => f.id)).toEqual(["a2", "b1", "a1"]);
    expect(response.json.items[1]).toMatchObject({
      id: "b1",
      userId: "bob",
      sessionId: "s-b1",
      severity: "critical",
      score: 95,
      status: "open",
      reasons: [{ code: "new_country", message: "First login from France" }],
      location: { country: "FR", city: "Paris" },
      firstEventAt: "2026-11-01T10:00:00.000Z",
      lastEventAt: "2026-11-01T10:05:00.000Z",
      createdAt: "2026-11-02T10:00:00.000Z",
      updatedAt: "2026-11-02T10:00:00.000Z",
      eventCount: 2,
      resolution: null,
    });
  });

  it("filters by user, session, minimum severity, status and creation time", async () => {
    expect(await ids("?userId=alice")).toEqual(["a2", "a1"]);
    expect(await ids("?sessionId=sx")).toEqual(["a2"]);
    expect(await ids("?minSeverity=high")).toEqual(["a2", "b1"]);
    expect(await ids("?status=open&userId=bob")).toEqual(["b1"]);
    expect(await ids("?status=compromised")).toEqual([]);
    expect(await ids("?since=2026-11-02T10:00:00Z")).toEqual(["a2", "b1"]);
    expect(await ids("?until=2026-11-02T10:00:00Z")).toEqual(["a1"]);
    expect(await ids("?since=2026-11-02T11:00:00%2B01:00&until=2026-11-03T00:00:00Z")).toEqual(["b1"]);
  });

  it("pages with limit and an opaque cursor", async () => {
    const first = await call(app, "GET", "/v1/flags?limit=2", { token: bearer });
    expect(first.json.items).toHaveLength(2);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await call(app, "GET", `/v1/flags?limit=2&cursor=${first.json.nextCursor}`, {
      token: bearer,
    });
    expect(second.json.items.map((f: { id: string }) => f.id)).toEqual(["a1"]);
    expect(second.json.nextCursor).toBeNull();
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=501", "query.limit"],
    ["limit=ten", "query.limit"],
    ["limit=2.5", "query.limit"],
    ["minSeverity=urgent", "query.minSeverity"],
    ["status=closed", "query.status"],
    ["since=yesterday", "query.since"],
    ["since=2026-11-01T10:00:00", "query.since"],
    ["until=2026-13-01T10:00:00Z", "query.until"],
    ["userId=", "query.userId"],
    [`userId=${"x".repeat(129)}`, "query.userId"],
    ["cursor=not-a-cursor", "query.cursor"],
    [`cursor=${Buffer.from('["yesterday","x"]').toString("base64url")}`, "query.cursor"],
    ["userId=a&userId=b", "query.userId"],
    ["page=2", "page"],
    ["userid=alice", "userid"],
  ])("rejects %s with 400 naming %s", async (query, field) => {
    const response = await call(app, "GET", `/v1/flags?${query}`, { token: bearer });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_request");
    expect(response.json.error.message).toContain(field);
  });
});

describe.each(BACKENDS)("GET /v1/flags pagination on %s", (backend) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let sql: Sql;
  beforeAll(async () => {
    store = await openTestStore(backend);
    sql = store.sql;
  });
  afterAll(() => store.close());

  it("walks 230 flags 50 at a time with no duplicates and no gaps while new flags arrive", async () => {
    const { app } = testApi(sql);
    const bearer = await reader();
    // Batches share a creation time (as a consumer batch does), so the id breaks ties.
    const original: string[] = [];
    for (let batch = 0; batch < 23; batch++) {
      const records = Array.from({ length: 10 }, (_, i) =>
        detectedFlag(`f-${batch}-${i}`, { userId: `u${i % 7}` }),
      );
      original.push(...records.map((r) => r.id));
      await seedFlags(sql, records, new Date(Date.UTC(2026, 10, 1, 0, batch)).toISOString());
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const page = await call(app, "GET", `/v1/flags?limit=50${query}`, { token: bearer });
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((f: { id: string }) => f.id));
      cursor = page.json.nextCursor;
      pages++;
      // New flags arrive between pages, and old ones are updated by later events.
      await seedFlags(
        sql,
        [detectedFlag(`new-${pages}-a`), detectedFlag(`new-${pages}-b`)],
        new Date().toISOString(),
      );
      await seedFlags(
        sql,
        [detectedFlag(`f-${pages}-3`, { eventCount: 9, severity: "critical" })],
        new Date().toISOString(),
      );
    } while (cursor !== null && pages < 20);

    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...original].sort());
  });
});
