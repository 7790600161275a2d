import { TOPICS } from "@vigil/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  analyst,
  BACKENDS,
  call,
  detectedFlag,
  openTestStore,
  outboxOn,
  reader,
  seedFlags,
  testApi,
} from "../fixtures.ts";

describe.each(BACKENDS)("POST /v1/flags/{id}/resolution on %s", (backend) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let bearer: string;
  let clock = new Date("2026-11-05T12:00:00.000Z");

  beforeAll(async () => {
    store = await openTestStore(backend);
    app = testApi(store.sql, { now: () => clock, API_MAX_BODY_BYTES: 4096 }).app;
    bearer = await analyst();
    await seedFlags(
      store.sql,
      ["f1", "f2", "f3", "f4", "f5"].map((id) => detectedFlag(id)),
      "2026-11-01T00:00:00Z",
    );
  });
  afterAll(() => store.close());

  const resolve = (id: string, body: unknown, token = bearer) =>
    call(app, "POST", `/v1/flags/${id}/resolution`, { token, body });
  const feedbackFor = async (flagId: string) =>
    (await outboxOn(store.sql, TOPICS.feedback)).filter((message) => message.flagId === flagId);
  const flagsPublished = async (id: string) =>
    (await outboxOn(store.sql, TOPICS.flags)).filter((message) => message.id === id);

  it("sets the status, records who and when, and enqueues feedback and the changed flag", async () => {
    const response = await resolve("f1", { verdict: "legitimate", note: "user confirmed travel" });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: "f1",
      status: "legitimate",
      updatedAt: "2026-11-05T12:00:00.000Z",
      resolution: {
        verdict: "legitimate",
        note: "user confirmed travel",
        by: "analyst-1",
        at: "2026-11-05T12:00:00.000Z",
      },
    });
    expect(await feedbackFor("f1")).toEqual([
      {
        userId: "u1",
        flagId: "f1",
        sessionId: "s-f1",
        verdict: "legitimate",
        at: "2026-11-05T12:00:00.000Z",
        by: "analyst",
      },
    ]);
    expect(await flagsPublished("f1")).toMatchObject([{ id: "f1", status: "legitimate" }]);
  });

  it("is idempotent: the same verdict again changes nothing and teaches nothing more", async () => {
    const first = await resolve("f2", { verdict: "compromised" });
    clock = new Date("2026-11-05T13:00:00.000Z");
    const again = await resolve("f2", { verdict: "compromised" });
    const [third, fourth] = await Promise.all([
      resolve("f2", { verdict: "compromised" }),
      resolve("f2", { verdict: "compromised" }),
    ]);
    for (const response of [again, third, fourth]) {
      expect(response.status).toBe(200);
      expect(response.json).toEqual(first.json);
    }
    expect(await feedbackFor("f2")).toHaveLength(1);
    expect(await flagsPublished("f2")).toHaveLength(1);
  });

  it("concurrent first resolutions of one flag teach the profile once", async () => {
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => resolve("f5", { verdict: "compromised" })),
    );
    for (const response of responses) expect(response.json).toMatchObject({ status: "compromised" });
    expect(await feedbackFor("f5")).toHaveLength(1);
    expect(await flagsPublished("f5")).toHaveLength(1);
  });

  it("a new note on the same verdict replaces the note without teaching again", async () => {
    await resolve("f3", { verdict: "compromised", note: "first look" });
    const renoted = await resolve("f3", { verdict: "compromised", note: "confirmed with the user" });
    expect(renoted.json.resolution.note).toBe("confirmed with the user");
    const kept = await resolve("f3", { verdict: "compromised" });
    expect(kept.json.resolution.note).toBe("confirmed with the user");
    expect(await feedbackFor("f3")).toHaveLength(1);
  });

  it("a changed verdict teaches the profile once more, with the new verdict", async () => {
    await resolve("f4", { verdict: "legitimate" });
    const changed = await resolve("f4", { verdict: "compromised" });
    expect(changed.json).toMatchObject({ status: "compromised", resolution: { verdict: "compromised" } });
    expect((await feedbackFor("f4")).map((message) => message.verdict)).toEqual([
      "legitimate",
      "compromised",
    ]);
  });

  it("answers 404 for an unknown flag and changes nothing", async () => {
    const before = await outboxOn(store.sql, TOPICS.feedback);
    const response = await resolve("nope", { verdict: "legitimate" });
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("not_found");
    expect(await outboxOn(store.sql, TOPICS.feedback)).toEqual(before);
  });

  it.each([
    ["a missing verdict", {}, "body.verdict"],
    ["an unknown verdict", { verdict: "benign" }, "body.verdict"],
    ["a note over 2000 characters", { verdict: "legitimate", note: "x".repeat(2001) }, "body.note"],
    ["a note that is not text", { verdict: "legitimate", note: 42 }, "body.note"],
    ["an unknown field", { verdict: "legitimate", status: "open" }, "status"],
    ["a body that is not an object", ["legitimate"], "body"],
    ["malformed JSON", '{"verdict": ', "JSON"],
  ])("rejects %s with 400", async (_, body, field) => {
    const response = await resolve("f1", body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_request");
    expect(response.json.error.message).toContain(field);
  });

  it("rejects a missing body, another media type and query parameters with 400", async () => {
    const none = await call(app, "POST", "/v1/flags/f1/resolution", { token: bearer });
    expect(none.status).toBe(400);
    const form = await call(app, "POST", "/v1/flags/f1/resolution", {
      token: bearer,
      body: "verdict=legitimate",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(400);
    expect(form.json.error.code).toBe("invalid_request");
    const query = await call(app, "POST", "/v1/flags/f1/resolution?force=true", {
      token: bearer,
      body: { verdict: "legitimate" },
    });
    expect(query.status).toBe(400);
  });

  it("rejects a body over API_MAX_BODY_BYTES with 413", async () => {
    const response = await resolve("f1", { verdict: "legitimate", note: "x".repeat(5000) });
    expect(response.status).toBe(413);
    expect(response.json.error).toMatchObject({ code: "payload_too_large" });
  });

  it("needs flags:write: a read-only analyst gets 403 and changes nothing", async () => {
    const response = await resolve("f1", { verdict: "compromised" }, await reader());
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe("forbidden");
    const flag = await call(app, "GET", "/v1/flags/f1", { token: bearer });
    expect(flag.json.status).toBe("legitimate");
  });
});
