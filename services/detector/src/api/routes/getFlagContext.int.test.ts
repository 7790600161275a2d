import { listAudit, respondToNotice } from "@vigil/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  detectedFlag,
  eventRecord,
  noticeFor,
  openTestStore,
  reader,
  seedEvents,
  seedFlags,
  seedNotices,
  testApi,
  token,
  user,
} from "../fixtures.ts";

// geoip-lite places 81.2.69.160 in Great Britain and 1.128.0.1 in Australia.
const LONDON = "81.2.69.160";

describe("GET /v1/flags/{id}/context", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let bearer: string;

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
    bearer = await reader();
    await seedEvents(store.sql, [
      eventRecord("e1", { sessionId: "home-1", occurredAt: "2026-10-30T08:00:00.000Z", ip: LONDON }),
      eventRecord("e2", { sessionId: "home-2", occurredAt: "2026-10-31T08:00:00.000Z", ip: LONDON }),
      eventRecord("e3", { sessionId: "old", occurredAt: "2026-09-01T08:00:00.000Z", ip: null }),
      eventRecord("e4", {
        sessionId: "s-f1",
        occurredAt: "2026-11-01T10:00:00.000Z",
        ip: "1.128.0.1",
        location: { country: "AU" },
      }),
    ]);
    await seedFlags(store.sql, [
      detectedFlag("f1", {
        severity: "critical",
        reasons: [
          {
            code: "impossible_travel",
            message: "Travelled far",
            details: { previousSessionId: "home-2" },
          },
        ],
      }),
      detectedFlag("f2", { userId: "nobody", sessionId: null }),
    ]);
    await seedNotices(store.sql, [noticeFor("n1", "f1")]);
    await respondToNotice(store.sql, "u1", "n1", { wasMe: false, respondedAt: "2026-11-01T11:00:00.000Z" });
  });
  afterAll(() => store.close());

  it("locates the flagged login, where it travelled from and the usual places, without any address", async () => {
    const response = await call(app, "GET", "/v1/flags/f1/context", { token: bearer });
    expect(response.status, response.text).toBe(200);
    const context = response.json;
    expect(context.login).toMatchObject({ country: "AU" });
    expect(context.travelFrom).toMatchObject({ country: "GB", at: "2026-10-31T08:00:00.000Z" });
    expect(context.usualPlaces).toEqual([
      expect.objectContaining({ country: "GB", logins: 2, lastAt: "2026-10-31T08:00:00.000Z" }),
    ]);
    expect(typeof context.login.lat).toBe("number");
    expect(context.novelty).toMatchObject({
      country: { value: "AU", earlierLogins: 0, firstSeenAt: null },
      device: { value: "Chrome on Windows", earlierLogins: 3, firstSeenAt: "2026-09-01T08:00:00.000Z" },
      network: { value: "81.2.69.0/24", earlierLogins: 3 },
      comparedLogins: 3,
      comparedSince: "2026-09-01T08:00:00.000Z",
    });
    expect(context.notices.map((n: { id: string }) => n.id)).toEqual(["n1"]);
    expect(context.notices[0].response.wasMe).toBe(false);
    expect(response.text).not.toContain(LONDON);
    expect(response.text).not.toContain("1.128.0.1");
  });

  it("is empty around a flag with no session and no logins, 404 for an unknown flag", async () => {
    const empty = await call(app, "GET", "/v1/flags/f2/context", { token: bearer });
    expect(empty.json).toEqual({
      login: null,
      travelFrom: null,
      usualPlaces: [],
      novelty: null,
      notices: [],
    });
    expect((await call(app, "GET", "/v1/flags/none/context", { token: bearer })).status).toBe(404);
  });

  it("needs flags:read and records every call in the audit log with the flag as target", async () => {
    // An operator without flags:read is refused and audited; an end user is refused before any audit entry.
    const operator = await token({ sub: "operator-1", scope: "audit:read" });
    expect((await call(app, "GET", "/v1/flags/f1/context", { token: operator })).status).toBe(403);
    expect((await call(app, "GET", "/v1/flags/f1/context", { token: await user("u1") })).status).toBe(403);
    const entries = await listAudit(store.sql, { limit: 50 });
    const mine = entries.filter((e) => e.action === "GET /v1/flags/{id}/context");
    expect(mine.map((e) => [e.target, e.status])).toEqual(
      expect.arrayContaining([
        ["f1", 200],
        ["f1", 403],
        ["none", 404],
      ]),
    );
  });
});
