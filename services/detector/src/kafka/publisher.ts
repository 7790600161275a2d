import type { Kafka, Producer } from "kafkajs";
import type { Logger } from "../log.ts";
import { KeyPartitioner } from "./partitioning.ts";
import { bySize } from "./requestSize.ts";
import type { OutboundMessage, Publisher } from "./types.ts";

/** An idempotent producer that publishes with acks from all in-sync replicas. */
export async function openPublisher(kafka: Kafka, log: Logger): Promise<Publisher> {
  const create = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: KeyPartitioner,
    });
  let producer: Producer = create();
  let connected: Promise<void> = producer.connect();
  await connected;
  /**
   * The broker no longer knows this producer's id, epoch or sequence (a restart that lost its
   * producer state, an expired id, a fenced epoch): kafkajs would repeat the refusal forever.
   * A new producer gets a new id; the caller's retry then sends the batch again from committed
   * state (the store's), and the message ids let consumers drop what had already arrived.
   */
  const replace = async (failed: Producer) => {
    if (producer !== failed) return;
    log.warn({}, "the broker refused the producer's id or sequence; creating a new producer");
    producer = create();
    connected = producer.connect();
    await failed.disconnect().catch(() => {});
  };
  return {
    async send(messages) {
      const current = producer;
      try {
        await connected;
        for (const chunk of bySize(messages)) {
          const byTopic = new Map<string, OutboundMessage[]>();
          for (const message of chunk) {
            const list = byTopic.get(message.topic);
            if (list) list.push(message);
            else byTopic.set(message.topic, [message]);
          }
          await current.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, list]) => ({
              topic,
              messages: list.map((m) => ({
                key: m.key,
                value: Buffer.from(m.value),
                headers: m.headers,
                ...(m.partition === undefined ? {} : { partition: m.partition }),
              })),
            })),
          });
        }
      } catch (error) {
        if (producerStateLost(error)) await replace(current);
        throw error;
      }
    },
    close: async () => {
      await connected.catch(() => {});
      await producer.disconnect();
    },
  };
}

/** Protocol errors after which an idempotent producer's id, epoch or sequence is of no more use. */
const PRODUCER_STATE_ERRORS = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
  "PRODUCER_FENCED",
  "DUPLICATE_SEQUENCE_NUMBER",
]);

/** True when `error`, or any error it wraps (kafkajs' retries, aggregates), is one of those. */
export function producerStateLost(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 8) return false;
  const { type, cause, errors, originalError } = error as {
    type?: unknown;
    cause?: unknown;
    errors?: unknown;
    originalError?: unknown;
  };
  if (typeof type === "string" && PRODUCER_STATE_ERRORS.has(type)) return true;
  const wrapped = [cause, originalError, ...(Array.isArray(errors) ? errors : [])];
  return wrapped.some((inner) => inner !== error && producerStateLost(inner, depth + 1));
}
