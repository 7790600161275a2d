import type { AccountEvent } from "@vigil/events";
import { eventKey } from "@vigil/events";
import { Kafka, logLevel, Partitioners } from "kafkajs";

// The CLI's only I/O with Kafka, kept apart so that the generator stays pure. Keys are the
// contract's (userId, or the hint of an unknown account) so each account's events stay in order on
// one partition; the producer is idempotent with one request in flight, and waits for all in-sync
// replicas, so a retry neither duplicates nor reorders.

export interface ProduceOptions {
  brokers: string[];
  topic: string;
  /** Events per second at a fixed pace; undefined: as fast as the broker acknowledges. */
  rate?: number;
  clientId?: string;
  /** Called after every acknowledged batch. */
  onProgress?: (sent: number, total: number) => void;
  /** Stops after the batch in flight (Ctrl-C). */
  signal?: AbortSignal;
}

export interface ProduceResult {
  sent: number;
  ms: number;
}

/** Largest batch per request: ~500 × 0.5 KiB stays well under the broker's 1 MiB default. */
export const MAX_BATCH = 500;

/** Batch size for a pace: about 20 requests a second, never more than MAX_BATCH. */
export function batchSize(rate: number | undefined): number {
  return rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.ceil(rate / 20)));
}

/** When event `index` is due, in ms after the start, at a fixed `rate`: no drift over long runs. */
export function dueAt(index: number, rate: number | undefined): number {
  return rate === undefined ? 0 : (index / rate) * 1000;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function produceEvents(
  events: readonly AccountEvent[],
  options: ProduceOptions,
): Promise<ProduceResult> {
  const { topic, rate, signal } = options;
  const kafka = new Kafka({
    clientId: options.clientId ?? "vigil-simulator",
    brokers: options.brokers,
    // Failures surface as rejected sends; kafkajs's own log would only add the transient
    // "does not host this topic-partition" of a topic being auto-created.
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = performance.now();
  let sent = 0;
  try {
    const size = batchSize(rate);
    while (sent < events.length && signal?.aborted !== true) {
      const wait = started + dueAt(sent, rate) - performance.now();
      if (wait > 0) await sleep(wait);
      const batch = events.slice(sent, sent + size);
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((event) => ({ key: eventKey(event), value: Buffer.from(JSON.stringify(event)) })),
      });
      sent += batch.length;
      options.onProgress?.(sent, events.length);
    }
  } finally {
    await producer.disconnect();
  }
  return { sent, ms: performance.now() - started };
}
