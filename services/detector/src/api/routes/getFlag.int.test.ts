import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  detectedFlag,
  eventRecord,
  openTestStore,
  reader,
  seedEvents,
  seedFlags,
  testApi,
} from "../fixtures.ts";

describe("GET /v1/flags/{id}", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let bearer: string;

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
    bearer = await reader();
    await seedFlags(store.sql, [
      detectedFlag("f1", { sessionId: "s-f1" }),
      detectedFlag("spray", {
        userId: "u1",
        sessionId: null,
        reasons: [{ code: "password_spray", message: "Spray" }],
      }),
    ]);
    await seedEvents(store.sql, [
      eventRecord("e2", {
        type: "settings.changed",
        occurredAt: "2026-11-01T10:04:00.000Z",
        ip: null,
        location: { country: "FR", city: "Paris" },
        detail: { setting: "email", action: "updated" },
      }),
      eventRecord("e1"),
      // Same session id under another user, and another session of the same user: not in the timeline.
      eventRecord("other-user", { userId: "u2" }),
      eventRecord("other-session", { sessionId: "s-other" }),
    ]);
  });
  afterAll(() => store.close());

  it("returns the flag with its session's events oldest first, each with place and device", async () => {
    const response = await call(app, "GET", "/v1/flags/f1", { token: bearer });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: "f1",
      userId: "u1",
      sessionId: "s-f1",
      status: "open",
      resolution: null,
    });
    expect(response.json.timeline).toEqual([
      {
        id: "e1",
        type: "login.succeeded",
        occurredAt: "2026-11-01T10:00:00.000Z",
        ip: "81.2.69.160",
        network: "81.2.69.0/24",
        location: { country: "GB", region: "ENG", city: "London" },
        device: "Chrome on Windows",
        detail: { method: "password", mfa: false },
      },
      {
        id: "e2",
        type: "settings.changed",
        occurredAt: "2026-11-01T10:04:00.000Z",
        ip: null,
        network: "81.2.69.0/24",
        location: { country: "FR", city: "Paris" },
        device: "Chrome on Windows",
        detail: { setting: "email", action: "updated" },
      },
    ]);
    // The keyed hash is for matching inside the store, not for readers.
    expect(response.text).not.toContain("hash-1");
  });

  it("has an empty timeline for a flag that is not about one session", async () => {
    const response = await call(app, "GET", "/v1/flags/spray", { token: bearer });
    expect(response.status).toBe(200);
    expect(response.json.sessionId).toBeNull();
    expect(response.json.timeline).toEqual([]);
  });

  it("answers 404 for an unknown id", async () => {
    const response = await call(app, "GET", "/v1/flags/nope", { token: bearer });
    expect(response.status).toBe(404);
    expect(response.json.error).toMatchObject({ code: "not_found", message: "no flag with this id" });
  });

  it("rejects an over-long id and any query parameter with 400", async () => {
    const long = await call(app, "GET", `/v1/flags/${"x".repeat(129)}`, { token: bearer });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toContain("path.id");
    const query = await call(app, "GET", "/v1/flags/f1?expand=all", { token: bearer });
    expect(query.status).toBe(400);
    expect(query.json.error.message).toContain("expand");
  });
});
