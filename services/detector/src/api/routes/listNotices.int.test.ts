import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyst, call, noticeFor, openTestStore, seedNotices, testApi, user } from "../fixtures.ts";

describe("GET /v1/me/notices", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
    await seedNotices(store.sql, [
      noticeFor("n1", "f1", { userId: "alice", createdAt: "2026-11-01T10:00:00.000Z" }),
      noticeFor("n2", "f2", { userId: "alice", createdAt: "2026-11-02T10:00:00.000Z" }),
      noticeFor("n3", "f3", { userId: "alice", createdAt: "2026-11-03T10:00:00.000Z" }),
      noticeFor("b1", "f9", { userId: "bob", createdAt: "2026-11-04T10:00:00.000Z" }),
    ]);
  });
  afterAll(() => store.close());

  it("lists only the caller's notices, newest first, with the notice fields", async () => {
    const response = await call(app, "GET", "/v1/me/notices", { token: await user("alice") });
    expect(response.status).toBe(200);
    expect(response.json.items.map((n: { id: string }) => n.id)).toEqual(["n3", "n2", "n1"]);
    expect(response.json.nextCursor).toBeNull();
    expect(response.json.items[0]).toEqual({
      ...noticeFor("n3", "f3", { userId: "alice", createdAt: "2026-11-03T10:00:00.000Z" }),
      response: null,
    });
    const bob = await call(app, "GET", "/v1/me/notices", { token: await user("bob") });
    expect(bob.json.items.map((n: { id: string }) => n.id)).toEqual(["b1"]);
  });

  it("answers an empty page to a user without notices, and an analyst sees only their own", async () => {
    const nobody = await call(app, "GET", "/v1/me/notices", { token: await user("carol") });
    expect(nobody.json).toEqual({ items: [], nextCursor: null });
    const analystOwn = await call(app, "GET", "/v1/me/notices", { token: await analyst() });
    expect(analystOwn.json.items).toEqual([]);
  });

  it("pages like the flags: limit and cursor, no duplicates", async () => {
    const token = await user("alice");
    const first = await call(app, "GET", "/v1/me/notices?limit=2", { token });
    expect(first.json.items.map((n: { id: string }) => n.id)).toEqual(["n3", "n2"]);
    const second = await call(app, "GET", `/v1/me/notices?limit=2&cursor=${first.json.nextCursor}`, {
      token,
    });
    expect(second.json.items.map((n: { id: string }) => n.id)).toEqual(["n1"]);
    expect(second.json.nextCursor).toBeNull();
  });

  it("a cursor cannot be used to reach another user's notices", async () => {
    const first = await call(app, "GET", "/v1/me/notices?limit=1", { token: await user("alice") });
    const asBob = await call(app, "GET", `/v1/me/notices?cursor=${first.json.nextCursor}`, {
      token: await user("bob"),
    });
    expect(asBob.status).toBe(200);
    expect(asBob.json.items.every((n: { userId: string }) => n.userId === "bob")).toBe(true);
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=501", "query.limit"],
    ["cursor=%%%", "query.cursor"],
    ["userId=bob", "userId"],
  ])("rejects %s with 400", async (query, field) => {
    const response = await call(app, "GET", `/v1/me/notices?${query}`, { token: await user("alice") });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain(field);
  });
});
