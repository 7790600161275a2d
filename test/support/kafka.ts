import { randomBytes } from "node:crypto";
import { type AccountEventInput, eventKey, type Topics, topicNames } from "@vigil/events";
import { Kafka, logLevel } from "kafkajs";

/** The broker the integration tests use; scripts/test.sh starts one and sets KAFKA_BROKERS. */
export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
}

/** Topic names no other test run shares (the service creates them at start). */
export function isolatedTopics(): { prefix: string; topics: Topics } {
  const prefix = `t${randomBytes(4).toString("hex")}.`;
  return { prefix, topics: topicNames(prefix) };
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: "vigil-test", brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/** Produces events (or raw values) keyed as the contract says. */
export async function produce(
  topic: string,
  messages: (AccountEventInput | { key: string; raw: string | Buffer })[],
) {
  const producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // In slices: one request must stay under the broker's message size limit.
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages
          .slice(i, i + 500)
          .map((m) =>
            "raw" in m ? { key: m.key, value: m.raw } : { key: eventKey(m), value: JSON.stringify(m) },
          ),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `enough` says the collected messages suffice. */
export async function readTopic(
  topic: string,
  enough: (messages: ReadMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = testKafka().consumer({ groupId: `reader-${randomBytes(4).toString("hex")}` });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${messages.length} messages on ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          messages.push({ key: message.key?.toString() ?? null, value: message.value, headers });
          if (enough(messages)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
