import { defaultDetectionConfig, partitionWatermark } from "@vigil/detection";
import type { AccountEventInput } from "@vigil/events";
import { openStore, type Sql } from "@vigil/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedTopics, readTopic } from "../../../../test/support/kafka.ts";
import type { InboundBatch, Publisher } from "../kafka/types.ts";
import { MARK_KEY } from "../messages.ts";
import { active, testPipeline, testPublisher } from "./testing.ts";

// The account stage's event-time join on a real (embedded) PostgreSQL and the real broker: an
// activity partition reading history waits for the by-source stage's clock, published on the
// verdicts topic after the verdicts it covers, and goes on when that clock lets it through.

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const DAY_START = NOW - 2 * 24 * HOUR;
const login = (id: string, hours: number): AccountEventInput => ({
  id,
  type: "login.succeeded",
  occurredAt: new Date(DAY_START + hours * HOUR).toISOString(),
  userId: "u1",
  sessionId: `s-${id}`,
  ip: "198.51.100.7",
});

describe("the account stage's join with the verdicts", () => {
  const { topics } = isolatedTopics();
  let sql: Sql;
  let publisher: Publisher;
  let offsets: Record<string, number> = {};
  const batch = (topic: string, values: unknown[], firstOffset = offsets[topic] ?? 0): InboundBatch => {
    offsets[topic] = firstOffset + values.length;
    return {
      topic,
      partition: 0,
      highWatermark: firstOffset + values.length,
      messages: values.map((value, i) => ({
        topic,
        partition: 0,
        offset: firstOffset + i,
        key: topic === topics.bySource ? MARK_KEY : "k",
        value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
        headers: {},
      })),
    };
  };
  beforeAll(async () => {
    publisher = await testPublisher(topics, "verdict-join-test");
  });
  afterAll(() => publisher.close());
  beforeEach(async () => {
    offsets = {};
    sql = await openStore({ dataDir: "memory://" });
  });
  afterEach(() => sql.close());

  const verdictClocks = async () =>
    (
      await sql.query<{ message_id: string; value: Uint8Array }>(
        "select message_id, value from outbox where topic = $1 and message_id like 'clock:%' order by seq",
        [topics.verdicts],
      )
    ).rows;

  it("waits at the first event the lead does not cover, and resumes once the verdict clock passes it", async () => {
    const run = testPipeline(sql, topics, publisher, {
      engine: defaultDetectionConfig,
      now: () => new Date(NOW),
    });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    let pauses = 0;
    let resumes = 0;
    const control = {
      ...active,
      pause: () => {
        pauses++;
        return () => resumes++;
      },
    };
    const events = [login("a", 0), login("b", 2), login("c", 8)];

    // No by-source partition has told its clock yet: history waits from its first event, and its
    // watermark goes to the by-source stage ahead of it.
    expect(await run.onBatch(batch(topics.activity, events, 0), control)).toBeNull();
    expect(pauses).toBe(1);
    const peek = partitionWatermark(DAY_START, defaultDetectionConfig);
    const published = await readTopic(topics.bySource, (messages) =>
      messages.some((m) => m.key === MARK_KEY && JSON.parse(String(m.value)).watermark.at === peek),
    );
    expect(published.filter((m) => m.key !== MARK_KEY)).toEqual([]);

    // The by-source stage takes the mark; its clock moves, and is told to the verdicts partition.
    await run.onBatch(
      batch(topics.bySource, [{ watermark: { partition: 0, partitions: 1, at: peek } }]),
      active,
    );
    const clocks = await verdictClocks();
    expect(clocks.map((row) => row.message_id)).toEqual([`clock:0:${peek}:0`]);

    // The verdicts partition reads it: the activity partition may go on.
    expect(resumes).toBe(0);
    const told = Buffer.from((clocks[0] as { value: Uint8Array }).value).toString("utf8");
    await run.onBatch(batch(topics.verdicts, [told]), active);
    expect(resumes).toBe(1);

    // Up to six hours past that clock: the logins of 0 h and 2 h, not the one of 8 h.
    expect(await run.onBatch(batch(topics.activity, events, 0), control)).toBe(2);
    expect(pauses).toBe(2);
  });

  it("lets a waiting partition go on when the verdicts batch that moved its clock committed but lost its connection", async () => {
    // The store commits; the client hears of it only as a lost connection, once.
    let lose = false;
    const lossy: Sql = {
      ...sql,
      query: (text, params) => sql.query(text, params),
      close: () => sql.close(),
      async transaction(work, options) {
        const result = await sql.transaction(work, options);
        if (!lose) return result;
        lose = false;
        throw new Error("Connection terminated unexpectedly");
      },
    };
    const run = testPipeline(lossy, topics, publisher, {
      engine: defaultDetectionConfig,
      now: () => new Date(NOW),
    });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    let resumes = 0;
    const control = { ...active, pause: () => () => resumes++ };
    expect(await run.onBatch(batch(topics.activity, [login("a", 0)], 0), control)).toBeNull();
    const peek = partitionWatermark(DAY_START, defaultDetectionConfig);
    await run.onBatch(
      batch(topics.bySource, [{ watermark: { partition: 0, partitions: 1, at: peek } }]),
      active,
    );
    const told = Buffer.from(((await verdictClocks())[0] as { value: Uint8Array }).value).toString("utf8");

    lose = true;
    // Retried: the batch is found stored, so no commit of its own tells the gate; the store does.
    expect(await run.onBatch(batch(topics.verdicts, [told]), active)).toBe(1);
    expect(lose).toBe(false);
    expect(resumes).toBe(1);
  });

  it("never holds live events", async () => {
    const run = testPipeline(sql, topics, publisher, {
      engine: defaultDetectionConfig,
      now: () => new Date(DAY_START + 8 * HOUR + 60_000),
    });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    const control = {
      ...active,
      pause: () => {
        throw new Error("paused");
      },
    };
    expect(await run.onBatch(batch(topics.activity, [login("c", 8)], 0), control)).toBe(1);
  });
});
