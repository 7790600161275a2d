import { type AccountEventInput, eventKey } from "@vigil/events";
import { generatePopulation } from "@vigil/simulator";
import { Kafka, logLevel } from "kafkajs";

const DAY = 86_400_000;

/**
 * A seeded, realistic stream (the simulator's population: personas, account takeovers, spray and
 * stuffing campaigns), ending an hour before the hour it is generated in, so that no event is "in
 * the future" and none is old enough for IP retention to touch. The same arguments within the same
 * hour give the same events. `FAULT_STREAM_END` (an hour, e.g. 2026-12-02T08:00Z) replays the stream
 * of a run that failed: the test prints the hour it used.
 */
export function seededStream(options: { seed: number; users: number; days: number }): AccountEventInput[] {
  const replayed = process.env.FAULT_STREAM_END;
  const endHour = replayed
    ? Date.parse(replayed)
    : Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  if (Number.isNaN(endHour)) throw new Error(`FAULT_STREAM_END=${replayed} is not a time`);
  console.log(
    `seeded stream ${options.seed}: ${options.users} users, ${options.days} days to ${new Date(endHour).toISOString()}`,
  );
  const start = new Date(endHour - options.days * DAY).toISOString();
  return generatePopulation({ ...options, start }).map((labelled) => labelled.event as AccountEventInput);
}

export type Outgoing = {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  /** Where to put it; by default the key's hash picks the partition. */
  partition?: number;
};

export function asMessages(events: AccountEventInput[]): Outgoing[] {
  return events.map((event) => ({ key: eventKey(event), value: JSON.stringify(event) }));
}

export function kafkaAt(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "vigil-faults",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3_000 },
  });
}

export interface TestProducer {
  /** Sends in order, in requests of at most ~512 KiB so that none exceeds the broker's limits. */
  send(topic: string, messages: Outgoing[]): Promise<void>;
  close(): Promise<void>;
}

export async function openProducer(brokers: string[]): Promise<TestProducer> {
  const producer = kafkaAt(brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    async send(topic, messages) {
      let chunk: Outgoing[] = [];
      let bytes = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        await producer.send({ topic, acks: -1, messages: chunk });
        chunk = [];
        bytes = 0;
      };
      for (const message of messages) {
        const size =
          (message.value === null ? 0 : Buffer.byteLength(message.value)) + (message.key?.length ?? 0) + 64;
        if (bytes + size > 512 * 1024) await flush();
        chunk.push(message);
        bytes += size;
      }
      await flush();
    },
    close: () => producer.disconnect(),
  };
}

/** Produces messages in order (keyed, so each account's events stay in order on its partition). */
export async function produceAll(brokers: string[], topic: string, messages: Outgoing[]): Promise<void> {
  const producer = await openProducer(brokers);
  try {
    await producer.send(topic, messages);
  } finally {
    await producer.close();
  }
}

/**
 * Produces messages a chunk at a time with a pause between chunks, so that a consumer is busy with
 * small batches throughout rather than with one large backlog.
 */
export async function producePaced(
  brokers: string[],
  topic: string,
  messages: Outgoing[],
  pace: { chunk: number; everyMs: number } = { chunk: 100, everyMs: 50 },
): Promise<void> {
  const producer = await openProducer(brokers);
  try {
    for (let start = 0; start < messages.length; start += pace.chunk) {
      await producer.send(topic, messages.slice(start, start + pace.chunk));
      await new Promise((resolve) => setTimeout(resolve, pace.everyMs));
    }
  } finally {
    await producer.close();
  }
}

/** `n` contiguous slices of nearly equal length. */
export function slices<T>(items: T[], n: number): T[][] {
  const size = Math.ceil(items.length / n);
  return Array.from({ length: n }, (_, i) => items.slice(i * size, (i + 1) * size));
}
