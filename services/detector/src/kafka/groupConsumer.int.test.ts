import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import { connectKafka } from "./connection.ts";
import type { GroupConsumer } from "./groupConsumer.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
const kafka = new Kafka({ clientId: "vigil-test", brokers, logLevel: logLevel.NOTHING });

describe("consume, with a bound on the bytes in flight", () => {
  const topic = `t${randomBytes(4).toString("hex")}.slices`;
  let consumer: GroupConsumer | undefined;
  afterAll(async () => {
    await consumer?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it("hands a fetched batch over in slices within the bound, every message once and in order", async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const value = "x".repeat(1000);
    await producer.send({
      topic,
      messages: Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 10}`, value: `${i} ${value}` })),
    });
    await producer.disconnect();

    const slices: { offsets: number[]; bytes: number }[] = [];
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      void connectKafka(brokers, "vigil-test", createLogger("silent"))
        .consume({
          groupId: `${topic}-group`,
          topics: [topic],
          concurrency: 2,
          maxBytesInFlight: 20 * 1024,
          async onAssignment() {
            return undefined;
          },
          async onBatch(batch) {
            const offsets = batch.messages.map((m) => m.offset);
            const bytes = batch.messages.reduce(
              (n, m) => n + (m.value?.length ?? 0) + (m.key?.length ?? 0),
              0,
            );
            slices.push({ offsets, bytes });
            seen += offsets.length;
            if (seen >= 300) resolve();
            return (offsets[offsets.length - 1] as number) + 1;
          },
        })
        .then((started) => {
          consumer = started;
        });
    });
    await done;
    // 20 KiB across 2 partitions at once: slices of at most 10 KiB, ~9 messages of ~1 KB.
    for (const slice of slices) expect(slice.bytes).toBeLessThanOrEqual(10 * 1024);
    expect(slices.length).toBeGreaterThanOrEqual(30);
    expect(slices.flatMap((slice) => slice.offsets)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});
