import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { Logger } from "../log.ts";
import { coPartitioned } from "./assignor.ts";
import { slicesOf } from "./batchSlices.ts";
import { Inbound } from "./inbound.ts";
import type { BatchControl, InboundBatch } from "./types.ts";

export interface GroupConsumer {
  /** True while the consumer is a member of its group with an assignment. */
  isMember(): boolean;
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  concurrency: number;
  /**
   * The bytes of messages (values and keys) processed at once across all partitions: a fetched batch
   * is handed to `onBatch` in slices of at most `maxBytesInFlight / concurrency`.
   */
  maxBytesInFlight: number;
  /**
   * How long the group waits for a member that stopped heartbeating (a crashed replica) before it
   * hands its partitions to the others, ms; kafkajs' default, 30 s, when absent.
   */
  sessionTimeoutMs?: number;
  /** Handles one batch; returns the next offset to commit to Kafka for lag monitoring, or null. */
  onBatch(batch: InboundBatch, control: BatchControl): Promise<number | null>;
  /**
   * Called after each rebalance with the partitions now owned, by topic; may answer where to resume
   * each of them (topic → partition → offset), which the consumer then seeks to.
   */
  onAssignment(owned: Map<string, number[]>): Promise<Map<string, Map<number, number>> | undefined>;
}

/**
 * How the consumer fetches. Larger than kafkajs's defaults (1 MiB a partition, 10 MiB a fetch) when
 * catching up, so fewer transactions and a user's state written once for more of their events
 * (docs/performance.md, "What made it faster"). Not larger: a batch's transient memory grows with
 * it. minBytes 1: a fetch answers as soon as anything is there, so the limits cost nothing in
 * latency at a low rate.
 */
export const FETCH = {
  maxBytesPerPartition: 2 * 1024 * 1024,
  maxBytes: 16 * 1024 * 1024,
  minBytes: 1,
  maxWaitTimeInMs: 1000,
} as const;

/** Kafka's committed offsets serve lag monitoring only: committed this often, not after every batch. */
const KAFKA_COMMIT_INTERVAL_MS = 1000;

/** Joins the group and hands each fetched batch to `onBatch`, in slices, partition by partition. */
export async function consume(kafka: Kafka, log: Logger, options: ConsumerOptions): Promise<GroupConsumer> {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    partitionAssigners: [coPartitioned],
    retry: { retries: 8, restartOnFailure: async () => true },
    ...FETCH,
    ...(options.sessionTimeoutMs === undefined
      ? {}
      : {
          sessionTimeout: options.sessionTimeoutMs,
          // Three heartbeats a session at least, as Kafka advises (kafkajs' default is every 3 s).
          heartbeatInterval: Math.min(3000, Math.floor(options.sessionTimeoutMs / 3)),
        }),
  });
  let member = false;
  const toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  consumer.on(consumer.events.GROUP_JOIN, async ({ payload }) => {
    const owned = new Map<string, number[]>(Object.entries(payload.memberAssignment));
    const resume = await options.onAssignment(owned);
    for (const [topic, offsets] of resume ?? []) {
      for (const [partition, offset] of offsets) {
        try {
          consumer.seek({ topic, partition, offset: String(offset) });
        } catch (error) {
          // Already revoked by a newer rebalance; messages below the stored offset are skipped anyway.
          log.warn(
            { err: (error as Error).message, topic, partition },
            "could not seek to the stored offset",
          );
        }
      }
    }
    member = true;
  });
  for (const event of [consumer.events.REBALANCING, consumer.events.CRASH, consumer.events.STOP]) {
    consumer.on(event, () => {
      member = false;
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.concurrency,
    eachBatchAutoResolve: false,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      let paused = false;
      const control = {
        heartbeat: payload.heartbeat,
        isActive: () => !paused && payload.isRunning() && !payload.isStale(),
        pause: () => {
          paused = true;
          return payload.pause();
        },
      };
      // Each partition processed at once gets an equal share of the bytes allowed in flight.
      const sliceBytes = Math.max(1, Math.floor(options.maxBytesInFlight / options.concurrency));
      for (const slice of slicesOf(batch.messages, sliceBytes)) {
        if (!control.isActive()) return;
        const next = await options.onBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: Number(batch.highWatermark),
            messages: slice.map((m) => new Inbound(batch.topic, batch.partition, m)),
          },
          control,
        );
        if (next === null) return;
        payload.resolveOffset(String(next - 1));
        toCommit.set(`${batch.topic}:${batch.partition}`, {
          topic: batch.topic,
          partition: batch.partition,
          offset: String(next),
        });
      }
    },
  });
  // Kafka's committed offsets serve lag monitoring only; the store's are authoritative. One commit
  // a second for every partition that moved, instead of a round trip to the broker per batch.
  const commitToKafka = async () => {
    if (toCommit.size === 0) return;
    const offsets = [...toCommit.values()];
    toCommit.clear();
    await consumer
      .commitOffsets(offsets)
      .catch((error: Error) => log.warn({ err: error.message }, "could not commit offsets to Kafka"));
  };
  const committer = setInterval(() => void commitToKafka(), KAFKA_COMMIT_INTERVAL_MS);
  committer.unref();
  return {
    isMember: () => member,
    async stop() {
      member = false;
      clearInterval(committer);
      await commitToKafka();
      await consumer.disconnect();
    },
  };
}
