// Retention on both backends: weekly partitions of events dropped whole, ids kept unique across
// partitions for as long as their events, resolved flags and idle source states forgotten.
import type { Notice } from "@vigil/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dropExpiredEvents,
  dropIdleSourceStates,
  dropResolvedFlags,
  type EventRecord,
  ensureEventPartitions,
  eventPartitions,
  insertEvents,
  insertNotices,
  knownEventIds,
  migrate,
  openDatabase,
  RepeatedEvents,
  resolveFlag,
  type Sql,
  saveSourceStates,
  sessionTimeline,
  upsertFlags,
  weekOf,
} from "./index.ts";
import { detectedFlag, storeBackends, temporaryDatabase } from "./testing.ts";

const DAY = 86_400_000;
const event = (id: string, sessionId = "s1"): EventRecord => ({
  id,
  userId: "u1",
  sessionId,
  type: "login.succeeded",
  occurredAt: "2026-11-01T10:00:00.000Z",
  ip: "81.2.69.160",
  ipHash: "h1",
  network: "81.2.69.0/24",
  location: { country: "GB" },
  device: "Chrome on Windows",
  detail: { method: "password" },
});

describe.each(storeBackends)("retention on %s", (_name, open) => {
  let sql: Sql;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ sql, done } = await open());
  });
  afterAll(() => done());

  // Far enough ahead that the table from before partitioning (up to the end of this week) is in the past.
  const now = weekOf(Date.now() + 400 * DAY) + 3 * DAY;
  const at = (daysBefore: number) => new Date(now - daysBefore * DAY).toISOString();
  const ids = async () => (await sql.query<{ id: string }>("select id from events order by id")).rows;

  it("drops the weeks of events past EVENTS_RETENTION_DAYS whole, keeps the recent ones and their ids", async () => {
    expect(await ensureEventPartitions(sql, at(120), 0)).toHaveLength(1);
    expect(await ensureEventPartitions(sql, at(1))).toHaveLength(3);
    expect(await ensureEventPartitions(sql, at(1))).toEqual([]);
    await insertEvents(sql, [event("old", "s-old")], at(120));
    await insertEvents(sql, [event("recent", "s-recent")], at(1));
    const oldWeek = (await eventPartitions(sql)).find((p) => p.from === weekOf(now - 120 * DAY));

    const result = await dropExpiredEvents(sql, 90, new Date(now).toISOString());
    expect(result.partitions).toContain(oldWeek?.name);
    expect(result.partitions).toContain("events_before_partitioning");
    expect(result.ids).toBe(1);
    const left = await eventPartitions(sql);
    expect(left.map((p) => p.name)).not.toContain(oldWeek?.name);
    expect(left.filter((p) => p.from !== null).map((p) => p.from)).toEqual(
      [0, 1, 2].map((n) => weekOf(now - DAY) + n * 7 * DAY),
    );
    expect(await ids()).toEqual([{ id: "recent" }]);
    expect(await knownEventIds(sql, ["old", "recent"])).toEqual(new Set(["recent"]));
    expect((await sessionTimeline(sql, "u1", "s-recent")).map((e) => e.id)).toEqual(["recent"]);
    // A repeat of a forgotten event is new again; a repeat of a kept one is still refused.
    await insertEvents(sql, [event("old")], at(0));
    await expect(insertEvents(sql, [event("recent")], at(0))).rejects.toBeInstanceOf(RepeatedEvents);
  });

  it("recognises a repeated event id that arrives in another week's partition", async () => {
    await insertEvents(sql, [event("twice")], at(1));
    const again = sql.transaction((tx) => insertEvents(tx, [event("other"), event("twice")], at(-7)));
    await expect(again).rejects.toBeInstanceOf(RepeatedEvents);
    expect(await knownEventIds(sql, ["twice", "other"])).toEqual(new Set(["twice"]));
    const rows = await sql.query<{ id: string; partition: string }>(
      "select id, tableoid::regclass::text as partition from events where id in ('twice', 'other')",
    );
    expect(rows.rows).toEqual([
      {
        id: "twice",
        partition: `events_w${new Date(weekOf(now - DAY)).toISOString().slice(0, 10).replaceAll("-", "")}`,
      },
    ]);
  });

  it("moves events that arrived in a week without a partition into it once created", async () => {
    const later = now + 60 * DAY;
    await insertEvents(sql, [event("early-bird")], new Date(later).toISOString());
    const where = async () =>
      (
        await sql.query<{ partition: string }>(
          "select tableoid::regclass::text as partition from events where id = 'early-bird'",
        )
      ).rows[0]?.partition;
    expect(await where()).toBe("events_default");
    const [created] = await ensureEventPartitions(sql, new Date(later).toISOString(), 0);
    expect(await where()).toBe(created);
    expect((await eventPartitions(sql)).find((p) => p.name === created)?.from).toBe(weekOf(later));
  });

  it("forgets flags resolved longer ago than RESOLVED_RETENTION_DAYS with their notices, keeps open ones", async () => {
    await upsertFlags(
      sql,
      [detectedFlag("f-resolved"), detectedFlag("f-open"), detectedFlag("f-fresh")],
      at(40),
    );
    await resolveFlag(sql, "f-resolved", { verdict: "legitimate", by: "ana", at: at(35) });
    await resolveFlag(sql, "f-fresh", { verdict: "compromised", by: "ana", at: at(5) });
    const notice = (flagId: string): Notice => ({
      id: `n_${flagId}`,
      userId: "u1",
      flagId,
      sessionId: `s-${flagId}`,
      occurredAt: at(40),
      createdAt: at(40),
      location: { country: "FR" },
      device: "Chrome on Windows",
      flagged: ["new_country"],
      title: "New sign-in",
      body: "Someone signed in",
      actions: ["review_sessions"],
      response: null,
    });
    await insertNotices(sql, [notice("f-resolved"), notice("f-open")], { maxPerUser: 10, windowHours: 24 });
    expect(await dropResolvedFlags(sql, 30, new Date(now).toISOString())).toEqual({ flags: 1, notices: 1 });
    const flags = await sql.query<{ id: string }>("select id from flags order by id");
    expect(flags.rows.map((row) => row.id)).toEqual(["f-fresh", "f-open"]);
    const notices = await sql.query<{ flag_id: string }>("select flag_id from notices");
    expect(notices.rows.map((row) => row.flag_id)).toEqual(["f-open"]);
  });

  it("forgets source states idle for longer than the longest source window", async () => {
    await saveSourceStates(sql, [
      { network: "198.51.100.0/24", state: { attempts: [] } },
      { network: "203.0.113.0/24", state: { attempts: [] } },
    ]);
    await sql.query(
      "update source_states set updated_at = now() - interval '2 hours' where network = '198.51.100.0/24'",
    );
    expect(await dropIdleSourceStates(sql, 3_600_000)).toBe(1);
    const left = await sql.query<{ network: string }>("select network from source_states");
    expect(left.rows).toEqual([{ network: "203.0.113.0/24" }]);
    // Idle is counted from the newest update: after a stop, what a replay needs is kept.
    await sql.query("update source_states set updated_at = now() - interval '3 days'");
    expect(await dropIdleSourceStates(sql, 3_600_000)).toBe(0);
  });
});

describe.each(["pglite", "postgres"])("the events table of an older version, on %s", (backend) => {
  it("becomes the first partition with every row and id, and a repeat of a stored event is still refused", async () => {
    // A database as version 005 left it, with events in it.
    const temporary = backend === "postgres" ? await temporaryDatabase() : null;
    const sql = await openDatabase(temporary ? { url: temporary.url } : { dataDir: "memory://" });
    try {
      await migrate(sql, "005_events_json.sql");
      await sql.query(
        `insert into events (id, type, occurred_at, detail, received_at, user_id, session_id)
         values ('a', 'login.succeeded', now(), '{}', now() - interval '200 days', 'u1', 's1'),
                ('b', 'login.succeeded', now(), '{}', now(), 'u1', 's1')`,
      );
      expect(await migrate(sql, "006_events_partitioned.sql")).toEqual(["006_events_partitioned.sql"]);
      const rows = await sql.query<{ id: string; partition: string }>(
        "select id, tableoid::regclass::text as partition from events order by id",
      );
      expect(rows.rows).toEqual([
        { id: "a", partition: "events_before_partitioning" },
        { id: "b", partition: "events_before_partitioning" },
      ]);
      expect(await knownEventIds(sql, ["a", "b", "c"])).toEqual(new Set(["a", "b"]));
      await expect(insertEvents(sql, [event("b")])).rejects.toBeInstanceOf(RepeatedEvents);
      expect((await sessionTimeline(sql, "u1", "s1")).map((e) => e.id)).toEqual(["a", "b"]);
      // Retention reaches into it: what arrived 200 days ago goes, with its id.
      const dropped = await dropExpiredEvents(sql, 90, new Date().toISOString());
      expect(dropped).toMatchObject({ events: 1, ids: 1 });
      expect(await knownEventIds(sql, ["a", "b"])).toEqual(new Set(["b"]));
    } finally {
      await sql.close();
      await temporary?.drop();
    }
  });
});
