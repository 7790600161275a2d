import {
  defaultDetectionConfig,
  emptyPopulation,
  observe,
  observeUser,
  type UserState,
} from "@vigil/detection";
import { type AccountEventInput, DLQ_HEADERS, validateEvent } from "@vigil/events";
import { ipFacts, sampleIps } from "@vigil/geo";
import { loadOffsets, loadUserStates, openStore, type Sql } from "@vigil/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedTopics, type ReadMessage, readTopic } from "../../../../test/support/kafka.ts";
import type { InboundBatch, Publisher } from "../kafka/types.ts";
import { MESSAGE_ID_HEADER } from "../messages.ts";
import { createMetrics, type Metrics } from "../metrics.ts";
import { AccountRouting } from "./routing.ts";
import { active, drivenEngine, testPipeline, testPublisher } from "./testing.ts";

// The pipeline on a real (embedded) PostgreSQL and the real broker, fed batches as the Kafka
// module hands them over.

const { topics } = isolatedTopics();
const ip = sampleIps({ country: "DE", city: "Berlin", count: 1, seed: 5 })[0] as string;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();
const login = (id: string, minute: number): AccountEventInput => ({
  id,
  type: "login.succeeded",
  occurredAt: at(minute),
  userId: "u1",
  sessionId: `s-${id}`,
  ip,
});
const emailChange: AccountEventInput = {
  id: "change",
  type: "settings.changed",
  occurredAt: at(2),
  userId: "u1",
  sessionId: "s-a",
  setting: "email",
};

const batch = (events: AccountEventInput[], firstOffset = 0): InboundBatch => ({
  topic: topics.activity,
  partition: 0,
  highWatermark: firstOffset + events.length,
  messages: events.map((event, i) => ({
    topic: topics.activity,
    partition: 0,
    offset: firstOffset + i,
    key: "u1",
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
  })),
});

/** The user's state after these events straight through the engine, as the store keeps it (JSON). */
function profileAfter(events: AccountEventInput[], engine = defaultDetectionConfig): unknown {
  let state: UserState | undefined;
  const population = emptyPopulation();
  for (const event of events) {
    const parsed = validateEvent(event);
    if (!parsed.ok) throw new Error(parsed.message);
    state = observeUser(state, population, observe(parsed.event, ipFacts(ip)), engine).state;
  }
  return JSON.parse(JSON.stringify(state));
}

describe("pipeline", () => {
  let sql: Sql;
  let publisher: Publisher;
  beforeAll(async () => {
    publisher = await testPublisher(topics, "pipeline-test");
  });
  afterAll(() => publisher.close());
  beforeEach(async () => {
    sql = await openStore({ dataDir: "memory://" });
  });
  afterEach(() => sql.close());

  const pipeline = (engine = drivenEngine, extra: { now?: () => Date; metrics?: Metrics } = {}) =>
    testPipeline(sql, topics, publisher, { engine, stallSeconds: 120, ...extra });

  const outbox = async () =>
    (
      await sql.query<{ topic: string; headers: Record<string, string> }>(
        "select topic, headers from outbox order by seq",
      )
    ).rows;

  it("dead-letters only the message the engine fails on, and commits the others from clean state", async () => {
    // A defect that only settings and content events reach: the points of sensitive changes are missing
    // (logins read the activity settings too, for the risk their session's changes inherit).
    const broken = {
      ...drivenEngine,
      activity: { ...drivenEngine.activity, points: undefined },
    } as unknown as typeof drivenEngine;
    const next = await pipeline(broken).onBatch(batch([login("a", 0), emailChange, login("b", 5)]), active);
    expect(next).toBe(3);
    expect(await loadOffsets(sql, "g", topics.activity)).toEqual(new Map([[0, 3]]));
    const stored = await sql.query<{ id: string }>("select id from events order by id");
    expect(stored.rows.map((r) => r.id)).toEqual(["a", "b"]);
    const dead = (await outbox()).filter((m) => m.topic === topics.deadLetter);
    expect(dead.map((m) => [m.headers[DLQ_HEADERS.reason], m.headers[DLQ_HEADERS.sourceOffset]])).toEqual([
      ["engine_error", "1"],
    ]);

    // The stored profile is exactly the two logins' effect: nothing of the failed event leaked in.
    expect((await loadUserStates(sql, ["u1"])).get("u1")).toEqual(
      profileAfter([login("a", 0), login("b", 5)], broken),
    );
  });

  it("dead-letters the one message the database refuses (store_rejected) and commits the rest", async () => {
    // Valid to the contract, but PostgreSQL has no year 0: the insert of the events fails (22008).
    const yearZero = { ...login("d", 3), occurredAt: "0000-01-01T00:00:00Z" };
    const events = [login("a", 0), login("b", 1), login("c", 2), yearZero, login("e", 4)];
    const next = await pipeline().onBatch(batch(events), active);
    expect(next).toBe(5);
    expect(await loadOffsets(sql, "g", topics.activity)).toEqual(new Map([[0, 5]]));
    const stored = await sql.query<{ id: string }>("select id from events order by id");
    expect(stored.rows.map((r) => r.id)).toEqual(["a", "b", "c", "e"]);
    const dead = (await outbox()).filter((m) => m.topic === topics.deadLetter);
    expect(dead.map((m) => [m.headers[DLQ_HEADERS.reason], m.headers[DLQ_HEADERS.sourceOffset]])).toEqual([
      ["store_rejected", "3"],
    ]);
    expect(dead[0]?.headers[DLQ_HEADERS.detail]).toContain("out of range");
    expect((await loadUserStates(sql, ["u1"])).get("u1")).toEqual(
      profileAfter([login("a", 0), login("b", 1), login("c", 2), login("e", 4)]),
    );
  });

  it("dead-letters a one-byte NUL message with a NUL in its key and headers, storably", async () => {
    const nul: InboundBatch = {
      ...batch([]),
      highWatermark: 1,
      messages: [
        {
          topic: topics.activity,
          partition: 0,
          offset: 0,
          key: "k\u0000",
          value: Buffer.from([0]),
          headers: { "h\u0000": "v\u0000\ud800" },
        },
      ],
    };
    expect(await pipeline().onBatch(nul, active)).toBe(1);
    const rows = await sql.query<{ key: string; headers: Record<string, string> }>(
      "select key, headers from outbox",
    );
    expect(rows.rows).toMatchObject([
      { key: "k", headers: { h: "v \ufffd", [DLQ_HEADERS.reason]: "not_json" } },
    ]);
  });

  it("names an unknown User-Agent in its own words in flags and notices, and marks malformed client data", async () => {
    const chrome =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const lure = "Your account is locked. Verify now at https://evil.example/verify";
    const day = (d: number) => new Date(Date.UTC(2026, 10, 1 + d, 10, 0)).toISOString();
    const history = Array.from({ length: 12 }, (_, d) => ({
      ...login(`h${d}`, 0),
      occurredAt: day(d),
      userAgent: chrome,
    }));
    const away = sampleIps({ country: "BR", count: 1, seed: 9 })[0] as string;
    const takeover: AccountEventInput[] = [
      {
        id: "t1",
        type: "login.succeeded",
        occurredAt: day(13),
        userId: "u1",
        sessionId: "s-t",
        ip: away,
        userAgent: `${lure}\u0000${"!".repeat(2000)}`,
      },
      { ...emailChange, id: "t2", sessionId: "s-t", occurredAt: day(13) },
      { ...emailChange, id: "t3", sessionId: "s-t", occurredAt: day(13), setting: "mfa", action: "disabled" },
    ];
    await pipeline().onBatch(batch([...history, ...takeover]), active);
    const flags = await sql.query<{ reasons: { message: string; details?: Record<string, unknown> }[] }>(
      "select reasons from flags where session_id = 's-t'",
    );
    const notices = await sql.query<{ body: string; device: string | null }>(
      "select content->>'body' as body, content->>'device' as device from notices",
    );
    expect(flags.rows).toHaveLength(1);
    expect(notices.rows).toHaveLength(1);
    const written = JSON.stringify([flags.rows, notices.rows]);
    expect(written).not.toMatch(/evil|Verify|locked/);
    expect(notices.rows[0]?.device).toBe("an unknown device");
    const novel = flags.rows[0]?.reasons.find((r) => r.details?.level !== undefined);
    expect(novel?.details?.malformedClientData).toEqual(["userAgent"]);
  });

  it("names a partition whose batch cannot commit as stalled once it has waited too long, and clears it after", async () => {
    let clock = Date.UTC(2026, 10, 21, 12, 0);
    const metrics = createMetrics();
    const run = pipeline(drivenEngine, { now: () => new Date(clock), metrics });
    // Every commit now fails, and not for its data: the batch is retried, and nothing else happens.
    await sql.query("alter table consumer_offsets rename to consumer_offsets_away");
    const stuck = run.onBatch(batch([login("a", 0), login("b", 1)]), active);
    clock += 60_000;
    expect(run.stalled(), "behind for a minute: not yet stalled").toEqual([]);
    clock += 61_000;
    expect(run.stalled()).toEqual([{ topic: topics.activity, partition: 0, seconds: 121 }]);
    const gauge = await metrics.registry.getSingleMetric("vigil_partition_stalled_seconds")?.get();
    expect(gauge?.values).toEqual([{ labels: { topic: topics.activity, partition: "0" }, value: 121 }]);

    await sql.query("alter table consumer_offsets_away rename to consumer_offsets");
    expect(await stuck).toBe(2);
    expect(run.stalled()).toEqual([]);
    const after = await metrics.registry.getSingleMetric("vigil_partition_stalled_seconds")?.get();
    expect(after?.values).toEqual([]);
  });

  it("applies a repeated event id once, whether in one batch or redelivered later", async () => {
    const run = pipeline();
    await run.onBatch(batch([login("a", 0), login("a", 0)]), active);
    await run.onBatch(batch([login("a", 0), login("b", 5)], 2), active);
    const stored = await sql.query<{ id: string }>("select id from events order by id");
    expect(stored.rows.map((r) => r.id)).toEqual(["a", "b"]);
    expect((await loadUserStates(sql, ["u1"])).get("u1")).toEqual(
      profileAfter([login("a", 0), login("b", 5)]),
    );
  });

  it("skips messages below the stored offset whatever offset Kafka resumes from", async () => {
    await pipeline().onBatch(batch([login("a", 0), login("b", 5)]), active);
    // A new consumer (after a crash before Kafka's commit) is handed the same messages again.
    const again = await pipeline().onBatch(batch([login("a", 0), login("b", 5), login("c", 9)]), active);
    expect(again).toBe(3);
    const stored = await sql.query<{ id: string }>("select id from events order by id");
    expect(stored.rows.map((r) => r.id)).toEqual(["a", "b", "c"]);
  });

  it("reads a log that ends before the stored offset (topic recreated, broker data lost) from what it holds, repeats recognised by id", async () => {
    const metrics = createMetrics();
    await pipeline().onBatch(batch([login("a", 0), login("b", 5), login("c", 9)]), active);
    // The topic is made again: its offsets start over, below the 3 the store holds.
    const run = pipeline(drivenEngine, { metrics });
    expect(await run.onBatch(batch([login("a", 0), login("d", 12)]), active)).toBe(2);
    expect(await run.onBatch(batch([login("e", 15)], 2), active)).toBe(3);
    const stored = await sql.query<{ id: string }>("select id from events order by id");
    expect(stored.rows.map((r) => r.id)).toEqual(["a", "b", "c", "d", "e"]);
    expect((await loadOffsets(sql, "g", topics.activity)).get(0)).toBe(3);
    const rewinds = await metrics.registry.getSingleMetric("vigil_partition_log_rewinds_total")?.get();
    expect(rewinds?.values).toEqual([{ labels: { topic: topics.activity }, value: 1 }]);
  });

  it("publishes each accepted login re-keyed by its source network and its autonomous system, with its event id", async () => {
    await pipeline().onBatch(batch([login("ra", 0), emailChange, login("rb", 5)]), active);
    const asn = `AS${ipFacts(ip)?.asn?.number}`;
    // The topic is shared by this file's tests: keep this test's logins.
    const ids = ["src:ra", "src:rb", `src:${asn}:ra`, `src:${asn}:rb`];
    const ours = (messages: ReadMessage[]) =>
      messages.filter((m) => ids.includes(m.headers[MESSAGE_ID_HEADER] ?? ""));
    const rekeyed = ours(await readTopic(topics.bySource, (messages) => ours(messages).length >= 4));
    // Different keys, so possibly different partitions: compared in order of message id.
    const seen = rekeyed.map((m) => [
      m.headers[MESSAGE_ID_HEADER] ?? "",
      m.key,
      JSON.parse(String(m.value)).id,
    ]);
    expect(seen.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1))).toEqual([
      [`src:${asn}:ra`, asn, "ra"],
      [`src:${asn}:rb`, asn, "rb"],
      ["src:ra", ipFacts(ip)?.network, "ra"],
      ["src:rb", ipFacts(ip)?.network, "rb"],
    ]);
  });

  it("never lets two batches change one account at once, when its events arrive on another partition than its verdicts", async () => {
    // A producer hashing keys another way (librdkafka's default) puts u1's events on partition 1 of
    // two, while verdicts about u1 come, keyed by Vigil, to u1's own partition: both batches at once.
    const routing = new AccountRouting(2);
    const elsewhere = 1 - routing.homeOf("u1");
    const run = testPipeline(sql, topics, publisher, { partitions: { activity: 2, bySource: 1 } });
    const events = batch([login("a", 0), login("b", 5)]);
    const misplaced: InboundBatch = {
      ...events,
      partition: elsewhere,
      messages: events.messages.map((m) => ({ ...m, partition: elsewhere })),
    };
    const verdict = {
      userId: "u1",
      code: "credential_stuffing",
      network: "203.0.113.0/24",
      at: Date.parse(at(10)),
      details: { accounts: 400 },
    };
    const verdicts: InboundBatch = {
      topic: topics.verdicts,
      partition: routing.homeOf("u1"),
      highWatermark: 1,
      messages: [
        {
          topic: topics.verdicts,
          partition: routing.homeOf("u1"),
          offset: 0,
          key: "u1",
          value: Buffer.from(JSON.stringify(verdict)),
          headers: {},
        },
      ],
    };
    await Promise.all([run.onBatch(misplaced, active), run.onBatch(verdicts, active)]);
    const state = (await loadUserStates(sql, ["u1"])).get("u1") as UserState;
    expect(
      state.sessions.map((s) => s.id),
      "the logins' sessions",
    ).toEqual(["s-a", "s-b"]);
    expect(
      state.targeted.map((t) => t.network),
      "the verdict",
    ).toEqual(["203.0.113.0/24"]);
  });
});
