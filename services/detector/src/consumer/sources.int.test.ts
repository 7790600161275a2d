import type { AccountEventInput } from "@vigil/events";
import { openStore, type Sql } from "@vigil/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedTopics, readTopic } from "../../../../test/support/kafka.ts";
import type { InboundBatch, Publisher } from "../kafka/types.ts";
import { MARK_KEY } from "../messages.ts";
import { active, testPipeline, testPublisher } from "./testing.ts";

// The by-source stage on a real (embedded) PostgreSQL and a real broker: activity batches re-key their
// logins and publish their watermark; re-keyed logins and marks in, verdicts in the outbox.

const network = "198.51.100.0/24";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const failure = (i: number, ms: number): AccountEventInput => ({
  id: `f${i}`,
  type: "login.failed",
  occurredAt: at(ms),
  userId: `victim${i}`,
  ip: `198.51.100.${i + 1}`,
  reason: "bad_password",
});
const mark = (partition: number, ms: number, idle = false) => ({
  watermark: { partition, partitions: 2, at: T0 + ms, ...(idle ? { idle: true } : {}) },
});

describe("by-source stage", () => {
  let sql: Sql;
  let publisher: Publisher;
  let topics: ReturnType<typeof isolatedTopics>["topics"];
  let offset = 0;
  const batch = (topic: string, messages: { key: string; value: unknown }[]): InboundBatch => ({
    topic,
    partition: 0,
    highWatermark: offset + messages.length,
    messages: messages.map(({ key, value }) => ({
      topic,
      partition: 0,
      offset: offset++,
      key,
      value: Buffer.from(JSON.stringify(value)),
      headers: {},
    })),
  });
  beforeAll(async () => {
    topics = isolatedTopics().topics;
    publisher = await testPublisher(topics, "sources-test");
  });
  afterAll(() => publisher.close());
  beforeEach(async () => {
    offset = 0;
    sql = await openStore({ dataDir: "memory://" });
  });
  afterEach(() => sql.close());

  const verdicts = async () =>
    (
      await sql.query<{ message_id: string }>(
        "select message_id from outbox where topic = $1 and message_id like 'verdict:%' order by message_id",
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
  /** Twenty accounts tried from one network within the bucket of 10:00-10:05. */
  const spray = Array.from({ length: 20 }, (_, i) => ({ key: network, value: failure(i, i * 10_000) }));

  /**
   * What the by-source topic (the file's: every test publishes to it) holds from the login `first`
   * on, once that is `count` messages: logins by key and id, marks as published.
   */
  const publishedFrom = async (first: string, count: number) => {
    const kinds = (messages: { key: string | null; value: Buffer | null }[]) => {
      const all = messages.map(({ key, value }) => {
        const body = JSON.parse(String(value));
        return key === MARK_KEY ? body.watermark : { key, id: body.id };
      });
      const at = all.findIndex((kind) => kind.id === first);
      return at < 0 ? [] : all.slice(at);
    };
    return kinds(await readTopic(topics.bySource, (messages) => kinds(messages).length >= count));
  };

  it("judges a spray once every activity partition's watermark has passed its bucket, and once only", async () => {
    const run = testPipeline(sql, topics, publisher);
    await run.onBatch(
      batch(topics.bySource, [...spray, { key: MARK_KEY, value: mark(0, 5 * MINUTE) }]),
      active,
    );
    // Partition 1 may still hold a login of the spray's bucket (10:00-10:05): nothing is judged yet.
    await run.onBatch(batch(topics.bySource, [{ key: MARK_KEY, value: mark(1, 0) }]), active);
    expect(await verdicts()).toEqual([]);
    await run.onBatch(batch(topics.bySource, [{ key: MARK_KEY, value: mark(1, 5 * MINUTE) }]), active);
    const sent = await verdicts();
    expect(sent).toHaveLength(20);
    expect(sent[0]).toBe(`verdict:${network}:${T0 + 5 * MINUTE}:victim0`);
    const judged = await sourceState();
    // The same logins again (a replayed batch upstream): nothing changes, nothing more is sent.
    await run.onBatch(batch(topics.bySource, spray), active);
    expect(await sourceState()).toBe(judged);
    expect(await verdicts()).toHaveLength(20);
  });

  it("lets a partition that said it is idle stop holding the clock", async () => {
    const run = testPipeline(sql, topics, publisher);
    await run.onBatch(
      batch(topics.bySource, [...spray, { key: MARK_KEY, value: mark(0, 5 * MINUTE) }]),
      active,
    );
    await run.onBatch(batch(topics.bySource, [{ key: MARK_KEY, value: mark(1, 0, true) }]), active);
    expect(await verdicts()).toHaveLength(20);
  });

  it("re-keys an activity batch's logins, leaves out those its watermark passed, then publishes its mark", async () => {
    let clock = Date.UTC(2026, 10, 20, 12, 0, 0);
    const run = testPipeline(sql, topics, publisher, { now: () => new Date(clock) });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    const events = [failure(1, 30 * MINUTE), failure(2, 0), failure(3, 31 * MINUTE)];
    await run.onBatch(
      batch(
        topics.activity,
        events.map((event) => ({ key: event.userId as string, value: event })),
      ),
      active,
    );
    // Quiet since, and caught up: its idle mark follows.
    clock += 30_000;
    await run.publishIdle(30);
    const kinds = await publishedFrom("f1", 4);
    // 10:31 less the 10-minute grace, down to a 5-minute bucket: 10:20. The login of 10:00 is behind it.
    // Idle, and read long after it happened (12:00): its last bucket may be judged, up to 10:35.
    expect(kinds).toEqual([
      { key: network, id: "f1" },
      { key: network, id: "f3" },
      { partition: 0, partitions: 1, at: T0 + 20 * MINUTE },
      { partition: 0, partitions: 1, at: T0 + 35 * MINUTE, idle: true },
    ]);
  });

  it("says a live partition is idle at its watermark, and at its last bucket's end once the wall clock is a grace past it", async () => {
    let clock = T0 + 4 * HOUR + 2 * MINUTE;
    const run = testPipeline(sql, topics, publisher, { now: () => new Date(clock) });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    const live = failure(201, 4 * HOUR + MINUTE);
    await run.onBatch(batch(topics.activity, [{ key: live.userId as string, value: live }]), active);
    clock += 30_000;
    await run.publishIdle(30);
    // Nothing new: the mark does not move, and is not sent again.
    clock += 60_000;
    await run.publishIdle(30);
    // 14:15 is 14:05 (the end of 14:01's bucket) and the grace: the bucket may be judged.
    clock = T0 + 4 * HOUR + 15 * MINUTE;
    await run.publishIdle(30);
    const kinds = await publishedFrom("f201", 4);
    expect(kinds).toEqual([
      { key: network, id: "f201" },
      { partition: 0, partitions: 1, at: T0 + 3 * HOUR + 50 * MINUTE },
      { partition: 0, partitions: 1, at: T0 + 3 * HOUR + 50 * MINUTE, idle: true },
      { partition: 0, partitions: 1, at: T0 + 4 * HOUR + 5 * MINUTE, idle: true },
    ]);
  });

  it("moves its watermark no further than the batch's wall time, whatever a producer's clock says", async () => {
    // A producer whose clock runs 8 minutes ahead (accepted: within MAX_FUTURE_SKEW_MINUTES), then
    // another host's login that took 8 minutes to arrive: still counted in its source.
    let clock = T0 + 60 * MINUTE;
    const run = testPipeline(sql, topics, publisher, { now: () => new Date(clock) });
    run.onAssignment(new Map([[topics.activity, [0]]]));
    const send = (event: AccountEventInput) =>
      run.onBatch(batch(topics.activity, [{ key: event.userId as string, value: event }]), active);
    await send(failure(101, 68 * MINUTE));
    clock += MINUTE;
    await send(failure(102, 52 * MINUTE));
    const kinds = await publishedFrom("f101", 3);
    // The wall time of the first batch (11:00) less the grace, not 11:08's: 10:50.
    expect(kinds).toEqual([
      { key: network, id: "f101" },
      { partition: 0, partitions: 1, at: T0 + 50 * MINUTE },
      { key: network, id: "f102" },
    ]);
  });
});
