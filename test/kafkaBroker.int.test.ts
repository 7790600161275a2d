// Proves that kafkajs 2.2.4 (our client; it only speaks old protocol versions) works against the
// broker pinned in infra/kafka/pom.xml: admin, keyed produce, consumer group with eachBatch and
// explicit offset commits, and admin.fetchOffsets. Needs a running broker:
//   infra/kafka/kafka.sh start   (or KAFKA_BROKERS=host:port for another one)
import { randomUUID } from "node:crypto";
import { Kafka, logLevel, Partitioners, type RequestEvent } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const brokers = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
const runId = `${Date.now()}-${randomUUID().slice(0, 8)}`;
const topic = `vigil-it-broker-${runId}`;
const groupId = `vigil-it-group-${runId}`;
const partitions = 3;
const keys = Array.from({ length: 10 }, (_, i) => `device-${i}`);
const perKey = 3;
const total = keys.length * perKey;

/** Rejects with a clear message instead of letting a lost event hang until the test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Every protocol request kafkajs sends, as "ApiName vN": the evidence of what the broker accepted.
const requests = new Set<string>();
const recordRequest = ({ payload }: RequestEvent) => {
  requests.add(`${payload.apiName} v${payload.apiVersion}`);
};

describe("Kafka broker with kafkajs 2.2.4", () => {
  // logLevel NOTHING: a fresh broker makes kafkajs log a retried "group coordinator is not
  // available" error; real failures still surface as rejected promises below.
  const kafka = new Kafka({ clientId: "vigil-broker-it", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 100, maxWaitTimeInMs: 250 });
  admin.on(admin.events.REQUEST, recordRequest);
  producer.on(producer.events.REQUEST, recordRequest);
  consumer.on(consumer.events.REQUEST, recordRequest);

  let topicCreated = false; // nothing to clean up if the broker was never reached

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await consumer.connect();
  });

  afterAll(async () => {
    // The broker is shared with other engineers: leave no test topics or groups behind.
    await consumer.disconnect();
    await producer.disconnect();
    if (topicCreated) {
      const warn = (what: string) => (error: unknown) =>
        console.warn(`cleanup: could not delete ${what}:`, error);
      await admin.deleteGroups([groupId]).catch(warn(`group ${groupId}`));
      await admin.deleteTopics({ topics: [topic] }).catch(warn(`topic ${topic}`));
    }
    await admin.disconnect();
  });

  it("creates a topic, produces keyed messages, consumes them in a group and commits offsets", async () => {
    // Admin: create the topic and wait until every partition has a leader.
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    topicCreated = true;
    expect(created).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(partitions);

    // Produce: 3 rounds over 10 keys, so each key is seen several times.
    const messages = Array.from({ length: total }, (_, i) => ({
      key: keys[i % keys.length],
      value: JSON.stringify({ seq: i }),
    }));
    const produced = await producer.send({ topic, messages, acks: -1 });
    expect(produced.every((r) => r.errorCode === 0)).toBe(true);

    const highWatermarks = await admin.fetchTopicOffsets(topic);
    expect(highWatermarks.reduce((sum, p) => sum + Number(p.high), 0)).toBe(total);
    // These keys hash onto all 3 partitions, so every partition gets a committed offset below.
    expect(highWatermarks.every((p) => Number(p.high) > 0)).toBe(true);

    // Consume in a group, committing explicitly after each batch.
    const joined = new Promise<{ memberAssignment: Record<string, number[]> }>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => resolve(payload));
    });
    const heartbeat = new Promise<void>((resolve) => {
      consumer.on(consumer.events.HEARTBEAT, () => resolve());
    });
    const received: { key: string; partition: number; seq: number }[] = [];
    let allReceived: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });

    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) {
          const { seq } = JSON.parse(String(message.value)) as { seq: number };
          received.push({ key: String(message.key), partition: batch.partition, seq });
          resolveOffset(message.offset);
        }
        const next = (Number(batch.lastOffset()) + 1).toString();
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
        if (received.length >= total) allReceived();
      },
    });

    const { memberAssignment } = await within(joined, 30_000, "the consumer to join the group");
    expect(memberAssignment[topic]?.toSorted()).toEqual([0, 1, 2]);
    await within(done, 30_000, `${total} messages`);
    await within(heartbeat, 10_000, "a consumer heartbeat");

    expect(received).toHaveLength(total);
    expect(new Set(received.map((m) => m.seq)).size).toBe(total);
    // Keyed messages: each key lands on exactly one partition.
    for (const key of keys) {
      expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }

    // Admin: the group's committed offsets equal each partition's high watermark.
    await consumer.stop();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = Object.fromEntries(
      committed?.partitions.map((p) => [p.partition, p.offset]) ?? [],
    );
    const expected = Object.fromEntries(highWatermarks.map((p) => [p.partition, p.high]));
    expect(committedByPartition).toEqual(expected);

    // The protocol requests kafkajs used (the KIP-896 question): all accepted by the broker.
    console.info(`kafkajs requests accepted by the broker: ${[...requests].sort().join(", ")}`);
    for (const api of [
      "JoinGroup",
      "SyncGroup",
      "Heartbeat",
      "OffsetCommit",
      "OffsetFetch",
      "Fetch",
      "Produce",
    ]) {
      expect([...requests].some((r) => r.startsWith(`${api} v`))).toBe(true);
    }
  });
});
