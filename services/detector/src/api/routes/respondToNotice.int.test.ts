import { TOPICS } from "@vigil/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKENDS,
  call,
  detectedFlag,
  noticeFor,
  openTestStore,
  outboxOn,
  reader,
  seedFlags,
  seedNotices,
  testApi,
  user,
} from "../fixtures.ts";

describe.each(BACKENDS)("POST /v1/me/notices/{id}/response on %s", (backend) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  const at = new Date("2026-11-05T09:30:00.000Z");

  beforeAll(async () => {
    store = await openTestStore(backend);
    app = testApi(store.sql, { now: () => at }).app;
    const ids = ["f1", "f2", "f3", "f4", "fb"];
    await seedFlags(
      store.sql,
      ids.map((id) =>
        detectedFlag(id, { userId: id === "fb" ? "bob" : "alice", severity: "high", score: 70 }),
      ),
    );
    await seedNotices(store.sql, [
      ...ids.slice(0, 4).map((id) => noticeFor(`n-${id}`, id, { userId: "alice", sessionId: `s-${id}` })),
      noticeFor("n-fb", "fb", { userId: "bob", sessionId: "s-fb" }),
    ]);
  });
  afterAll(() => store.close());

  const respond = async (id: string, body: unknown, as = "alice") =>
    call(app, "POST", `/v1/me/notices/${id}/response`, { token: await user(as), body });
  const feedbackFor = async (flagId: string) =>
    (await outboxOn(store.sql, TOPICS.feedback)).filter((message) => message.flagId === flagId);
  const analystView = async (id: string) =>
    (await call(app, "GET", `/v1/flags/${id}`, { token: await reader() })).json;

  it('"it was me" records the answer and teaches the profile; the flag stays for analysts', async () => {
    const response = await respond("n-f1", { wasMe: true });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: "n-f1",
      flagId: "f1",
      response: { wasMe: true, respondedAt: at.toISOString() },
    });
    expect(await feedbackFor("f1")).toEqual([
      {
        userId: "alice",
        flagId: "f1",
        sessionId: "s-f1",
        verdict: "legitimate",
        at: at.toISOString(),
        by: "owner",
      },
    ]);
    expect(await analystView("f1")).toMatchObject({ severity: "high", status: "open" });
  });

  it('"not me" makes the flag critical at once for analysts and teaches the profile it was compromised', async () => {
    const response = await respond("n-f2", { wasMe: false });
    expect(response.status).toBe(200);
    expect(response.json.response).toEqual({ wasMe: false, respondedAt: at.toISOString() });
    expect(await analystView("f2")).toMatchObject({
      severity: "critical",
      score: 90,
      updatedAt: at.toISOString(),
    });
    const critical = await call(app, "GET", "/v1/flags?minSeverity=critical", { token: await reader() });
    expect(critical.json.items.map((f: { id: string }) => f.id)).toEqual(["f2"]);
    expect(await feedbackFor("f2")).toMatchObject([{ verdict: "compromised", userId: "alice", by: "owner" }]);
    expect((await outboxOn(store.sql, TOPICS.flags)).filter((f) => f.id === "f2")).toMatchObject([
      { id: "f2", severity: "critical" },
    ]);
  });

  it("the first answer stands: repeats and changes of mind return it unchanged and enqueue nothing", async () => {
    const first = await respond("n-f3", { wasMe: false });
    const [again, changed] = await Promise.all([
      respond("n-f3", { wasMe: false }),
      respond("n-f3", { wasMe: true }),
    ]);
    expect(again.json).toEqual(first.json);
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual(first.json);
    expect(await feedbackFor("f3")).toHaveLength(1);
  });

  it("another user's notice id answers 404 and changes nothing", async () => {
    const response = await respond("n-fb", { wasMe: false }, "alice");
    expect(response.status).toBe(404);
    expect(response.json.error).toMatchObject({ code: "not_found", message: "no notice with this id" });
    expect(await analystView("fb")).toMatchObject({ severity: "high" });
    expect(await feedbackFor("fb")).toEqual([]);
    const bobs = await call(app, "GET", "/v1/me/notices", { token: await user("bob") });
    expect(bobs.json.items[0].response).toBeNull();
  });

  it("an unknown id answers the same 404 as another user's", async () => {
    const unknown = await respond("n-none", { wasMe: true });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe("no notice with this id");
  });

  it.each([
    ["a missing answer", {}, "body.wasMe"],
    ["an answer that is not a boolean", { wasMe: "yes" }, "body.wasMe"],
    ["an unknown field", { wasMe: true, flagId: "fb" }, "flagId"],
    ["malformed JSON", "{wasMe: true}", "JSON"],
  ])("rejects %s with 400", async (_, body, field) => {
    const response = await respond("n-f4", body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_request");
    expect(response.json.error.message).toContain(field);
    expect(await feedbackFor("f4")).toEqual([]);
  });
});
