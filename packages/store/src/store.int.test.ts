import type { Notice } from "@vigil/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendAudit,
  commitBatch,
  drainOutbox,
  type EventRecord,
  escalateFlag,
  FencedError,
  getFlag,
  getNotice,
  InvalidCursorError,
  insertEvents,
  JsonText,
  knownEventIds,
  listAudit,
  listFlags,
  listNotices,
  loadOffsets,
  loadPartitionState,
  loadSourceStates,
  loadUserStates,
  loadUserStateTexts,
  migrate,
  type OutboxMessage,
  outboxSize,
  RepeatedEvents,
  resolveFlag,
  respondToNotice,
  type Sql,
  type StoredFlag,
  saveSourceStates,
  saveUserStates,
  scrubRawIps,
  sessionTimeline,
  upsertFlags,
} from "./index.ts";
import { detectedFlag, storeBackends } from "./testing.ts";

const flag = detectedFlag;

const event = (id: string, over: Partial<EventRecord> = {}): EventRecord => ({
  id,
  userId: "u1",
  sessionId: "s1",
  type: "login.succeeded",
  occurredAt: "2026-11-01T10:00:00.000Z",
  ip: "81.2.69.160",
  ipHash: "h1",
  network: "81.2.69.0/24",
  location: { country: "GB", city: "London" },
  device: "Chrome on Windows",
  detail: { method: "password" },
  ...over,
});

const notice = (id: string, flagId: string, createdAt: string, userId = "u1"): Notice => ({
  id,
  userId,
  flagId,
  sessionId: "s1",
  occurredAt: createdAt,
  createdAt,
  location: { country: "FR" },
  device: "Chrome on Windows",
  flagged: ["new_country"],
  title: "New sign-in",
  body: "Someone signed in",
  actions: ["review_sessions"],
  response: null,
});

const publishAs = {
  flag: (f: StoredFlag) => ({
    messageId: `flag:${f.id}:${f.updatedAt}`,
    topic: "account-flags",
    key: f.userId,
    value: JSON.stringify(f),
  }),
  notice: (n: Notice) => ({
    messageId: `notice:${n.id}`,
    topic: "account-security-notices",
    key: n.userId,
    value: JSON.stringify(n),
  }),
};

const emptyBatch = {
  groupId: "g",
  offsets: [],
  events: [],
  userStates: [],
  sourceStates: [],
  partitionStates: [],
  flags: [],
  notices: [],
  noticeLimit: { maxPerUser: 3, windowHours: 24 },
  messages: [],
  publishAs,
  now: "2026-11-01T10:00:01.000Z",
};

describe.each(storeBackends)("store on %s", (_name, open) => {
  let sql: Sql;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ sql, done } = await open());
  });
  afterAll(() => done());

  it("applies migrations once", async () => {
    expect(await migrate(sql)).toEqual([]);
  });

  it("stores states with text beyond ASCII exactly, given as objects or as serialized text", async () => {
    const place = { city: "São Paulo ✓", note: "Zürich 東京 🙂", n: 1.5 };
    await saveUserStates(sql, [
      { userId: "ü1", state: place },
      { userId: "u2", state: new JsonText(JSON.stringify({ ...place, n: 2 })) },
    ]);
    await saveSourceStates(sql, [{ network: "AS7922", state: { ...place, n: 3 } }]);
    expect(await loadUserStates(sql, ["ü1", "u2"])).toEqual(
      new Map([
        ["ü1", place],
        ["u2", { ...place, n: 2 }],
      ]),
    );
    expect(await loadUserStateTexts(sql, ["u2"])).toEqual(
      new Map([["u2", JSON.stringify({ ...place, n: 2 })]]),
    );
    expect(await loadSourceStates(sql, ["AS7922"])).toEqual(new Map([["AS7922", { ...place, n: 3 }]]));
  });

  it("commits a batch whole, with its offsets, and fences a stale second writer", async () => {
    const result = await commitBatch(sql, {
      ...emptyBatch,
      offsets: [{ topic: "t", partition: 0, from: null, next: 10 }],
      events: [event("e1")],
      userStates: [{ userId: "u1", state: { countries: ["GB"] } }],
      partitionStates: [{ key: { groupId: "g", topic: "t", partition: 0 }, state: { seen: 1 } }],
      flags: [flag("f1")],
      notices: [notice("n1", "f1", "2026-11-01T10:00:01.000Z")],
    });
    expect(result.flags.map((f) => f.id)).toEqual(["f1"]);
    expect(result.notices.map((n) => n.id)).toEqual(["n1"]);
    expect(await loadOffsets(sql, "g", "t")).toEqual(new Map([[0, 10]]));
    expect(await loadUserStates(sql, ["u1", "nobody"])).toEqual(new Map([["u1", { countries: ["GB"] }]]));
    expect(await loadPartitionState(sql, { groupId: "g", topic: "t", partition: 0 })).toEqual({ seen: 1 });
    expect(await outboxSize(sql)).toBe(2);

    // A zombie that started from offset 0 after someone committed 10 must not land anything.
    await expect(
      commitBatch(sql, {
        ...emptyBatch,
        offsets: [{ topic: "t", partition: 0, from: 0, next: 5 }],
        flags: [flag("zombie")],
      }),
    ).rejects.toBeInstanceOf(FencedError);
    expect(await getFlag(sql, "zombie")).toBeNull();
    expect(await loadOffsets(sql, "g", "t")).toEqual(new Map([[0, 10]]));
  });

  it("treats a repeated event id as the same event and keeps session timelines in event order", async () => {
    const inSession = (id: string, over: Partial<EventRecord> = {}) =>
      event(id, { sessionId: "s-r", ...over });
    await insertEvents(sql, [
      inSession("r2", { occurredAt: "2026-11-01T11:00:00.000Z", type: "settings.changed" }),
      inSession("r1"),
    ]);
    expect(await knownEventIds(sql, ["r1", "r2", "r3"])).toEqual(new Set(["r1", "r2"]));
    // Stored again as if new: refused whole, so that a batch planned on it does not commit.
    const again = sql.transaction((tx) =>
      insertEvents(tx, [inSession("r3"), inSession("r1", { type: "settings.changed" })]),
    );
    await expect(again).rejects.toBeInstanceOf(RepeatedEvents);
    await expect(again).rejects.toThrow("1 of 2 events were already stored");
    expect(await knownEventIds(sql, ["r3"])).toEqual(new Set());
    const timeline = await sessionTimeline(sql, "u1", "s-r");
    expect(timeline.map((e) => [e.id, e.type, e.location?.city, e.device])).toEqual([
      ["r1", "login.succeeded", "London", "Chrome on Windows"],
      ["r2", "settings.changed", "London", "Chrome on Windows"],
    ]);
  });

  it("never lowers a flag's severity, and records escalations and resolutions", async () => {
    await upsertFlags(sql, [flag("f2", { severity: "high", score: 75 })], "2026-11-01T10:00:02.000Z");
    const [calmer] = await upsertFlags(
      sql,
      [flag("f2", { severity: "low", score: 20, eventCount: 2, lastEventAt: "2026-11-01T10:05:00.000Z" })],
      "2026-11-01T10:05:01.000Z",
    );
    expect(calmer).toMatchObject({
      severity: "high",
      score: 75,
      eventCount: 2,
      createdAt: "2026-11-01T10:00:02.000Z",
    });
    expect(await escalateFlag(sql, "f2", "2026-11-01T10:06:00.000Z")).toMatchObject({
      severity: "critical",
      score: 90,
    });
    const resolved = await resolveFlag(sql, "f2", {
      verdict: "legitimate",
      note: "user travels",
      by: "analyst",
      at: "2026-11-01T11:00:00.000Z",
    });
    expect(resolved).toMatchObject({
      status: "legitimate",
      resolution: { verdict: "legitimate", by: "analyst" },
    });
    expect(
      await resolveFlag(sql, "missing", { verdict: "compromised", by: "a", at: "2026-11-01T11:00:00.000Z" }),
    ).toBeNull();
  });

  it("filters flags and walks pages with no duplicates and no gaps while new flags arrive", async () => {
    const created = (i: number) => new Date(Date.UTC(2026, 10, 2, 0, 0, i)).toISOString();
    for (let i = 0; i < 30; i++) {
      await upsertFlags(
        sql,
        [flag(`p${String(i).padStart(2, "0")}`, { userId: "walker", severity: i % 2 ? "high" : "low" })],
        created(i),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let extra = 100;
    do {
      const page = await listFlags(sql, { userId: "walker" }, { limit: 7, cursor });
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor ?? undefined;
      // Newer flags arrive between pages; they sort before the cursor and never shift what follows it.
      await upsertFlags(sql, [flag(`new${extra}`, { userId: "walker" })], created(extra++));
    } while (cursor);
    const expected = Array.from({ length: 30 }, (_, i) => `p${String(29 - i).padStart(2, "0")}`);
    expect(seen).toEqual(expected);

    const high = await listFlags(
      sql,
      { userId: "walker", minSeverity: "high", until: created(10) },
      { limit: 50 },
    );
    expect(high.items.map((f) => f.id)).toEqual(["p09", "p07", "p05", "p03", "p01"]);
    const since = await listFlags(
      sql,
      { userId: "walker", since: created(28), until: created(30) },
      { limit: 50 },
    );
    expect(since.items.map((f) => f.id)).toEqual(["p29", "p28"]);
    expect((await listFlags(sql, { status: "legitimate" }, { limit: 50 })).items.map((f) => f.id)).toEqual([
      "f2",
    ]);
    await expect(listFlags(sql, {}, { limit: 5, cursor: "garbage" })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it("keeps one notice per flag, limits notices per user, and hides other users' notices", async () => {
    const at = (m: number) => new Date(Date.UTC(2026, 10, 3, 0, m)).toISOString();
    const batch = (n: Notice[]) =>
      commitBatch(sql, { ...emptyBatch, notices: n, noticeLimit: { maxPerUser: 2, windowHours: 24 } });
    expect(
      (await batch([notice("a1", "fa1", at(0), "alice"), notice("a1b", "fa1", at(1), "alice")])).notices,
    ).toHaveLength(1);
    expect(
      (await batch([notice("a2", "fa2", at(2), "alice"), notice("a3", "fa3", at(3), "alice")])).notices.map(
        (n) => n.id,
      ),
    ).toEqual(["a2"]);
    expect((await listNotices(sql, "alice", { limit: 1 })).items.map((n) => n.id)).toEqual(["a2"]);
    expect(await getNotice(sql, "bob", "a1")).toBeNull();
    expect(await respondToNotice(sql, "bob", "a1", { wasMe: true, respondedAt: at(5) })).toBeNull();
    const first = await respondToNotice(sql, "alice", "a1", { wasMe: false, respondedAt: at(5) });
    expect(first).toMatchObject({ changed: true, notice: { response: { wasMe: false } } });
    const again = await respondToNotice(sql, "alice", "a1", { wasMe: true, respondedAt: at(6) });
    expect(again).toMatchObject({ changed: false, notice: { response: { wasMe: false } } });
  });

  it("publishes outbox messages in order and keeps them when publishing fails", async () => {
    const before = await outboxSize(sql);
    await expect(drainOutbox(sql, 1000, () => Promise.reject(new Error("broker down")))).rejects.toThrow(
      "broker down",
    );
    expect(await outboxSize(sql)).toBe(before);
    await commitBatch(sql, {
      ...emptyBatch,
      messages: [
        {
          messageId: "raw",
          topic: "dlq",
          key: "k",
          value: new Uint8Array([0xff, 0x00]),
          headers: { reason: "not_json" },
        },
      ],
    });
    const published: OutboxMessage[] = [];
    const count = await drainOutbox(sql, 1000, async (messages) => {
      published.push(...messages);
    });
    expect(count).toBe(before + 1);
    expect(published[0]?.messageId).toMatch(/^flag:f1:/);
    const raw = published.find((m) => m.messageId === "raw");
    expect([...Buffer.from(raw?.value ?? "")]).toEqual([0xff, 0x00]);
    expect(raw?.headers).toEqual({ reason: "not_json" });
    expect(await outboxSize(sql)).toBe(0);
  });

  it("scrubs raw IPs after the retention window and keeps the hash and network", async () => {
    await insertEvents(sql, [
      event("old", { sessionId: "s9" }),
      event("fresh", { sessionId: "s9", occurredAt: "2026-11-01T10:01:00.000Z" }),
    ]);
    await sql.query("update events set received_at = now() - interval '31 days' where id = 'old'");
    expect(await scrubRawIps(sql, 30, new Date().toISOString())).toBe(1);
    const rows = await sql.query<{ id: string; ip: string | null; ip_hash: string; network: string }>(
      "select id, ip, ip_hash, network from events where session_id = 's9' order by id",
    );
    expect(rows.rows).toEqual([
      { id: "fresh", ip: "81.2.69.160", ip_hash: "h1", network: "81.2.69.0/24" },
      { id: "old", ip: null, ip_hash: "h1", network: "81.2.69.0/24" },
    ]);
  });

  it("appends audit entries and lists the newest first", async () => {
    await appendAudit(sql, {
      subject: "ana",
      action: "GET /v1/flags",
      target: null,
      status: 200,
      requestId: "r1",
    });
    await appendAudit(sql, {
      subject: "ana",
      action: "POST /v1/flags/{id}/resolution",
      target: "f2",
      status: 200,
      requestId: "r2",
    });
    const entries = await listAudit(sql, { subject: "ana", limit: 10 });
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ["POST /v1/flags/{id}/resolution", "f2"],
      ["GET /v1/flags", null],
    ]);
  });
});
