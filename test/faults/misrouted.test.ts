import type { AccountEventInput } from "@vigil/events";
import { afterAll, describe, expect, it } from "vitest";
import { keyPartitioner } from "../../services/detector/src/kafka/partitioning.ts";
import { testBrokers } from "../support/kafka.ts";
import { killAllDetectors } from "./support/detector.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { asMessages, type Outgoing, produceAll, seededStream } from "./support/stream.ts";

// The fault tests' detectors run 3 partitions (support/detector.ts).
const PARTITIONS = 3;
const home = keyPartitioner(PARTITIONS);
const userIdOf = (message: Outgoing) => (JSON.parse(String(message.value)) as AccountEventInput).userId;

/**
 * Producers that do not place events as Kafka's Java client would: librdkafka's default
 * partitioner (Python, Go, .NET) hashes keys with CRC32, and a producer without keys spreads one
 * account's events over every partition. The verdicts and feedback about an account still arrive
 * on its own partition, so without care two batches change one account at once.
 */
describe("events produced to partitions other than their account's", () => {
  const brokers = testBrokers();
  const runs: Deployment[] = [];
  afterAll(async () => {
    await killAllDetectors();
    for (const run of runs) await run.dispose();
  });

  async function consume(messages: Outgoing[]) {
    const current = await deployment(brokers);
    runs.push(current);
    const detector = await current.start();
    await detector.ready();
    await produceAll(brokers, current.topics.activity, messages);
    const state = await current.settle(120_000, detector.output);
    return { state, detector };
  }

  it("ends as the same stream keyed right when a client hashes keys another way", async () => {
    const messages = asMessages(seededStream({ seed: 53, users: 120, days: 14 }));
    const reference = await uninterruptedRun(brokers, messages);
    // Every account's events on one partition, in order, but not on the account's own.
    const elsewhere = messages.map((message) => ({
      ...message,
      partition: (home(message.key ?? "") + 1) % PARTITIONS,
    }));
    const { state, detector } = await consume(elsewhere);

    expectSameFinalState(state, reference, { sameInput: false });
    expect(state.flags.size).toBeGreaterThan(0);
    const accounts = messages.filter((message) => userIdOf(message) !== undefined).length;
    expect(await detector.metric("vigil_events_misrouted_total"), "events of accounts owned elsewhere").toBe(
      accounts,
    );
  });

  it("scores every event once when a client sends no key at all", async () => {
    const messages = asMessages(seededStream({ seed: 59, users: 40, days: 7 }));
    // Round robin, as a producer without keys spreads them: one account on every partition.
    const unkeyed = messages.map((message, i) => ({ ...message, key: null, partition: i % PARTITIONS }));
    const { state, detector } = await consume(unkeyed);

    expect(await detector.metric("vigil_events_consumed_total"), "each event scored once").toBe(
      messages.length,
    );
    expect(state.eventIds, "every event stored").toBe(messages.length);
    const misplaced = unkeyed.filter((message) => {
      const userId = userIdOf(message);
      return userId !== undefined && home(userId) !== message.partition;
    }).length;
    expect(await detector.metric("vigil_events_misrouted_total")).toBe(misplaced);
    expect(state.published.deadLetters).toBe(0);
  });
});
