// Producing the benchmark's data: as fast as the broker acknowledges (pre-production), or at a fixed
// rate scheduled by the clock (steady runs), where a slow acknowledgement delays sending but not the
// schedule, so that latency is measured from when an event was due, not from when it got out.
import { Kafka, logLevel, type Producer } from "kafkajs";
import type { Line } from "./dataset.ts";

export function benchKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: "vigil-bench", brokers, logLevel: logLevel.NOTHING });
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
}

/** Sum of the partitions' high watermarks: the number of messages ever written (no compaction here). */
export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopicsWithPrefix(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** Produces everything as fast as the broker acknowledges, in requests of `batch` messages. */
export async function produceAll(
  kafka: Kafka,
  topic: string,
  lines: AsyncIterable<Line> | Iterable<Line>,
  batch = 4000,
): Promise<{ sent: number; seconds: number }> {
  const producer = await connectedProducer(kafka);
  const started = performance.now();
  let sent = 0;
  let pending: { key: string; value: string }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ topic, acks: -1, messages: pending });
    sent += pending.length;
    pending = [];
  };
  try {
    for await (const line of lines) {
      pending.push(line);
      if (pending.length >= batch) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { sent, seconds: (performance.now() - started) / 1000 };
}

/** A message of a steady run; `due` is set by the producer: when it was scheduled (performance.now()). */
export interface Scheduled extends Line {
  onDue?: (due: number) => void;
}

/**
 * Sends `next()` messages at `rate` per second for `seconds`, by the clock: the i-th message is due
 * at start + i / rate. Whatever is due is sent in one request; a slow request makes the next one
 * bigger instead of shifting the schedule.
 */
export async function produceAtRate(
  kafka: Kafka,
  topic: string,
  rate: number,
  seconds: number,
  next: () => Promise<Scheduled>,
): Promise<{ sent: number; behindMs: number }> {
  const producer = await connectedProducer(kafka);
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  let sent = 0;
  let behindMs = 0;
  try {
    while (sent < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
      if (due <= sent) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, start + (sent / rate) * 1000 - now)));
        continue;
      }
      const messages: Line[] = [];
      for (let i = sent; i < due; i++) {
        const message = await next();
        message.onDue?.(start + (i / rate) * 1000);
        messages.push({ key: message.key, value: message.value });
      }
      behindMs = Math.max(behindMs, now - (start + (sent / rate) * 1000));
      await producer.send({ topic, acks: -1, messages });
      sent = due;
    }
  } finally {
    await producer.disconnect();
  }
  return { sent, behindMs };
}
