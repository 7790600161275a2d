// Against the real broker: events sent concurrently through the helpers come back complete,
// valid under the detector's schema, keyed by account, and each account on one partition.
import { randomUUID } from "node:crypto";
import { type AccountEvent, accountEventSchema, eventKey, topicNames } from "@vigil/events";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActivityProducer, createActivityProducer } from "./index.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
const runId = randomUUID().slice(0, 8);
const topic = topicNames(`t${runId}.`).activity;
const groupId = `t${runId}.producer-it`;
const total = 100;

/** 100 events over 12 accounts and every type, including failures on unknown accounts. */
function sendAll(vigil: ActivityProducer): Promise<AccountEvent>[] {
  return Array.from({ length: total }, (_, i) => {
    const userId = `user-${i % 12}`;
    const sessionId = `session-${i % 12}`;
    const ip = `203.0.113.${i % 250}`;
    switch (i % 7) {
      case 0:
        return vigil.loginSucceeded({ userId, sessionId, ip, method: "password", mfa: i % 2 === 0 });
      case 1:
        return vigil.loginFailed({ userId, ip, reason: "bad_password" });
      case 2:
        return vigil.loginFailed({ ip, reason: "unknown_account", accountHint: `hint-${i % 5}` });
      case 3:
        return vigil.settingsChanged({ userId, sessionId, setting: "email", action: "updated" });
      case 4:
        return vigil.contentDeleted({ userId, sessionId, contentType: "photo", count: 3 });
      case 5:
        return vigil.contentModified({ userId, sessionId, contentType: "comment" });
      default:
        return vigil.sessionEnded({ userId, sessionId, reason: "logout" });
    }
  });
}

describe("activity producer against Kafka", () => {
  const kafka = new Kafka({ clientId: "vigil-producer-it", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let topicCreated = false;

  beforeAll(async () => {
    await admin.connect();
    topicCreated = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  });

  afterAll(async () => {
    // The broker is shared: leave no test topics or groups behind.
    if (topicCreated) {
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    }
    await admin.disconnect();
  });

  it("delivers 100 concurrent events, valid and keyed by account", async () => {
    expect(topicCreated).toBe(true);
    // A small maxBatch so several idempotent batches follow one another.
    const vigil = createActivityProducer({ brokers, clientId: "vigil-producer-it", topic, maxBatch: 32 });
    const sent = await Promise.all(sendAll(vigil));
    await vigil.close();

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(total);

    const received: { key: string; partition: number; event: AccountEvent }[] = [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
    await consumer.connect();
    try {
      let allReceived = () => {};
      const done = new Promise<void>((resolve) => {
        allReceived = resolve;
      });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const event = accountEventSchema.parse(JSON.parse(String(message.value)));
          received.push({ key: String(message.key), partition, event });
          if (received.length >= total) allReceived();
        },
      });
      await within(done, 60_000, `${total} events`);
    } finally {
      await consumer.disconnect();
    }

    expect(received).toHaveLength(total);
    const byId = new Map(received.map((r) => [r.event.id, r]));
    expect(byId.size).toBe(total);
    for (const event of sent) {
      const got = byId.get(event.id);
      expect(got?.event).toEqual(event);
      expect(got?.key).toBe(eventKey(event));
    }
    expect(received.some((r) => r.key.startsWith("hint-"))).toBe(true);
    const partitionsByKey = new Map<string, Set<number>>();
    for (const { key, partition } of received) {
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
    }
    for (const [key, partitions] of partitionsByKey) expect([key, partitions.size]).toEqual([key, 1]);
    // The keys spread over the topic, so "one partition per key" is not trivially true.
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);
  });
});

/** Rejects with a clear message instead of letting a lost event hang until the test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
