import { defaultDetectionConfig } from "@vigil/detection";
import type { AccountEventInput } from "@vigil/events";
import { openStore, type Sql } from "@vigil/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedTopics, testBrokers } from "../../../../test/support/kafka.ts";
import { connectKafka, type InboundBatch, type Publisher } from "../kafka.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../metrics.ts";
import { createPipeline } from "./pipeline.ts";

// The by-source stage on a real (embedded) PostgreSQL: re-keyed logins in, verdicts in the outbox.

const { topics } = isolatedTopics();
const network = "198.51.100.0/24";
const at = (second: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, second)).toISOString();
const failure = (i: number, second: number): AccountEventInput => ({
  id: `f${i}`,
  type: "login.failed",
  occurredAt: at(second),
  userId: `victim${i}`,
  ip: `198.51.100.${i + 1}`,
  reason: "bad_password",
});
const elsewhere = (id: string, second: number): AccountEventInput => ({
  id,
  type: "login.succeeded",
  occurredAt: at(second),
  userId: "owner",
  sessionId: `s-${id}`,
  ip: "192.0.2.10",
});

let offset = 0;
const batch = (messages: { key: string; event: AccountEventInput }[]): InboundBatch => ({
  topic: topics.bySource,
  partition: 0,
  highWatermark: offset + messages.length,
  messages: messages.map(({ key, event }) => ({
    topic: topics.bySource,
    partition: 0,
    offset: offset++,
    key,
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
  })),
});
const active = { heartbeat: async () => {}, isActive: () => true };

describe("by-source stage", () => {
  let sql: Sql;
  let publisher: Publisher;
  beforeAll(async () => {
    const kafka = connectKafka(testBrokers(), "sources-test", createLogger("silent"));
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
    offset = 0;
    sql = await openStore({ dataDir: "memory://" });
  });
  afterEach(() => sql.close());

  const pipeline = () =>
    createPipeline({
      sql,
      log: createLogger("silent"),
      metrics: createMetrics(),
      groupId: "g",
      topics,
      engine: defaultDetectionConfig,
      ipHashKey: Buffer.from("k"),
      maxFutureSkewMs: 600_000,
      noticeMinSeverity: "high",
      noticeLimit: { maxPerUser: 3, windowHours: 24 },
      profileCacheSize: 1000,
      profileCacheBytes: 1024 * 1024,
      publisher,
      onOutbox: () => {},
    });

  const verdicts = async () =>
    (
      await sql.query<{ message_id: string }>(
        "select message_id from outbox where topic = $1 order by message_id",
        [topics.verdicts],
      )
    ).rows.map((r) => r.message_id);
  const sourceState = async () =>
    (
      await sql.query<{ state: string }>(
        "select state::text as state from source_states where network = $1",
        [network],
      )
    ).rows[0]?.state;

  it("judges a spray that fell silent once the partition's clock passes its bucket and grace, and once only", async () => {
    const spray = Array.from({ length: 20 }, (_, i) => ({ key: network, event: failure(i, i * 10) }));
    const run = pipeline();
    await run.onBatch(batch(spray), active);
    expect(await verdicts()).toEqual([]);
    // The spray's bucket ends at 10:05; other sources carry the clock to 10:14:59, then 10:15.
    await run.onBatch(batch([{ key: "192.0.2.0/24", event: elsewhere("a", 14 * 60 + 59) }]), active);
    expect(await verdicts()).toEqual([]);
    await run.onBatch(batch([{ key: "192.0.2.0/24", event: elsewhere("b", 15 * 60) }]), active);
    const sent = await verdicts();
    expect(sent).toHaveLength(20);
    expect(sent[0]).toBe(`verdict:${network}:${Date.parse(at(300))}:victim0`);
    const judged = await sourceState();
    // The same logins again (a replayed batch upstream): nothing changes, nothing more is sent.
    await run.onBatch(batch(spray), active);
    expect(await sourceState()).toBe(judged);
    expect(await verdicts()).toHaveLength(20);
  });
});
