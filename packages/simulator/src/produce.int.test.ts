// Produces a generated story to a real broker and reads it back: every event arrives once, keyed
// by account, and each account's events come back in time order from their one partition.
// Needs a running broker: infra/kafka/kafka.sh start (or KAFKA_BROKERS=host:port).
import { randomUUID } from "node:crypto";
import { eventKey } from "@vigil/events";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { produceEvents } from "./produce.ts";
import { generateScenario } from "./scenario.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
const topic = `vigil-it-simulator-${Date.now()}-${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: "vigil-simulator-it", brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();

describe("produceEvents on a real broker", () => {
  afterAll(async () => {
    // The broker is shared: leave no test topics behind.
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it("delivers every event once, keyed by account, in order per key", async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const events = generateScenario("credential_stuffing", { seed: 2 }).map((item) => item.event);
    const progress: number[] = [];
    const result = await produceEvents(events, {
      brokers,
      topic,
      rate: 2000,
      onProgress: (sent) => progress.push(sent),
    });
    expect(result.sent).toBe(events.length);
    expect(progress.at(-1)).toBe(events.length);

    const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 200 });
    const received: { key: string; id: string; at: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString() ?? "{}");
          received.push({ key: message.key?.toString() ?? "", id: event.id, at: event.occurredAt });
          if (received.length === events.length) resolve();
        },
      });
    });
    await Promise.race([
      done,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 30_000)),
    ]);
    await consumer.disconnect();
    await admin.deleteGroups([`${topic}-reader`]).catch(() => {});

    expect(new Set(received.map((r) => r.id)).size).toBe(events.length);
    const keyOf = new Map(events.map((e) => [e.id, eventKey(e)]));
    const lastAt = new Map<string, string>();
    for (const r of received) {
      expect(r.key).toBe(keyOf.get(r.id));
      expect(r.at >= (lastAt.get(r.key) ?? "")).toBe(true);
      lastAt.set(r.key, r.at);
    }
  }, 60_000);
});
