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
import { isolatedTopics, type ReadMessage, readTopic, testBrokers } from "../../../../test/support/kafka.ts";
import { connectKafka, type InboundBatch, type Publisher } from "../kafka.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../metrics.ts";
import { MESSAGE_ID_HEADER } from "./messages.ts";
import { createPipeline } from "./pipeline.ts";

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
const active = { heartbeat: async () => {}, isActive: () => true };

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
    const kafka = connectKafka(testBrokers(), "pipeline-test", createLogger("silent"));
    await kafka.ensureTopics({
      anchor: topics.activity,
      coPartitioned: [],
      others: [topics.bySource],
      partitions: 1,
    });
    publisher = await kafka.publisher();
  });
  afterAll(() => publisher.close());
  beforeEach(async () => {
    sql = await openStore({ dataDir: "memory://" });
  });
  afterEach(() => sql.close());

  const pipeline = (engine = defaultDetectionConfig) =>
    createPipeline({
      sql,
      log: createLogger("silent"),
      metrics: createMetrics(),
      groupId: "g",
      topics,
      engine,
      ipHashKey: Buffer.from("k"),
      maxFutureSkewMs: 600_000,
      noticeMinSeverity: "high",
      noticeLimit: { maxPerUser: 3, windowHours: 24 },
      profileCacheSize: 1000,
      profileCacheBytes: 1024 * 1024,
      publisher,
      onOutbox: () => {},
    });

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
      ...defaultDetectionConfig,
      activity: { ...defaultDetectionConfig.activity, points: undefined },
    } as unknown as typeof defaultDetectionConfig;
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
});
