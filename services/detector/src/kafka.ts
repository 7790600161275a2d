// The one module that knows kafkajs: everything else sees plain messages, batches and a publisher.

import { readFileSync } from "node:fs";
import {
  AssignerProtocol,
  type ConfigResourceTypes,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaConfig,
  type KafkaMessage,
  logLevel,
  type PartitionAssigner,
  Partitioners,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import { backoffMs } from "./backoff.ts";
import { slicesOf } from "./batchSlices.ts";
import type { Logger } from "./log.ts";
import { bySize } from "./requestSize.ts";

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface InboundBatch {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** The newest offset the broker has for this partition (for lag). */
  highWatermark: number;
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the partition was revoked or the consumer is stopping: abandon the batch. */
  isActive(): boolean;
}

export interface OutboundMessage {
  topic: string;
  /** Set to address one partition; otherwise the key's hash picks it. */
  partition?: number | undefined;
  key: string;
  value: Uint8Array | string;
  headers?: Record<string, string> | undefined;
}

export interface Publisher {
  /** Publishes with acks from all in-sync replicas, in requests of a size the broker accepts. */
  send(messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}

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
  /** Handles one batch; returns the next offset to commit to Kafka for lag monitoring, or null. */
  onBatch(batch: InboundBatch, control: BatchControl): Promise<number | null>;
  /**
   * Called after each rebalance with the partitions now owned, by topic; may answer where to resume
   * each of them (topic → partition → offset), which the consumer then seeks to.
   */
  onAssignment(owned: Map<string, number[]>): Promise<Map<string, Map<number, number>> | undefined>;
}

/** ConfigResourceTypes.TOPIC; kafkajs' CommonJS build does not expose the enum to ES imports. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
/** Room for the reason and origin headers a dead letter adds to the original message. */
const DEAD_LETTER_HEADROOM = 64 * 1024;

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

/** TLS and SASL towards the brokers (from KAFKA_SSL*, KAFKA_SASL_*); none by default. */
export interface KafkaSecurity {
  ssl?: boolean;
  /** PEM files: CAs to trust instead of the system's, and a client certificate with its key. */
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  sasl?:
    | { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string }
    | undefined;
}

/** kafkajs' connection options for `security`; certificates verified against the CAs always. */
export function connectionOptions(security: KafkaSecurity): Pick<KafkaConfig, "ssl" | "sasl"> {
  const options: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  if (security.ssl) {
    const files = { ca: security.caFile, cert: security.certFile, key: security.keyFile };
    const tls: Record<string, Buffer | boolean> = { rejectUnauthorized: true };
    for (const [name, path] of Object.entries(files)) if (path !== undefined) tls[name] = readFileSync(path);
    options.ssl = tls;
  }
  // kafkajs types each mechanism apart; the three take the same username and password.
  if (security.sasl) options.sasl = { ...security.sasl } as SASLOptions;
  return options;
}

export function connectKafka(brokers: string[], clientId: string, log: Logger, security: KafkaSecurity = {}) {
  const kafka = new Kafka({
    clientId,
    brokers,
    ...connectionOptions(security),
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      // Retries are bounded on purpose (the outbox retries whole batches); this warning is noise.
      if (entry.log.message.startsWith("Limiting retries for the idempotent producer")) return;
      log.warn({ kafka: entry.namespace, detail: entry.log.message }, "kafka client");
    },
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  });

  /**
   * Creates missing topics and answers the partition count of each (dead-letter topic aside). `anchor` is created first with `partitions`; the `coPartitioned` topics
   * get (and must have) the anchor's partition count, since one replica must own the same user on all.
   * `deadLetter` takes copies of anchor messages with headers added, so it is created accepting
   * messages larger than the anchor's limit by DEAD_LETTER_HEADROOM; otherwise the copy of a message
   * near that limit could never be published, and would stall the outbox behind it for good.
   */
  async function ensureTopics(plan: {
    anchor: string;
    coPartitioned: string[];
    others: string[];
    deadLetter?: string;
    partitions: number;
    /** `retention.ms` of each topic created, by name; a topic not named keeps the broker's default. */
    retentionMs?: Record<string, number>;
  }): Promise<Map<string, number>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const create = async (
        topics: string[],
        numPartitions: number,
        configEntries: { name: string; value: string }[] = [],
      ) => {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((topic) => !existing.has(topic));
        if (missing.length === 0) return;
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => {
              const retention = plan.retentionMs?.[topic];
              const entries =
                retention === undefined
                  ? configEntries
                  : [...configEntries, { name: "retention.ms", value: String(retention) }];
              return { topic, numPartitions, configEntries: entries };
            }),
          })
          .catch((error: Error & { type?: string }) => {
            // Another replica created it first.
            if (error.type !== "TOPIC_ALREADY_EXISTS") throw error;
          });
      };
      await create([plan.anchor], plan.partitions);
      const counts = async (topics: string[]) => {
        // No topics named would ask the broker for all of them.
        if (topics.length === 0) return new Map<string, number>();
        // A topic just created may not be known to the broker answering yet.
        for (let attempt = 0; ; attempt++) {
          try {
            const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
            return new Map(metadata.map((t) => [t.name, t.partitions.length]));
          } catch (error) {
            if (attempt >= 8 || (error as { retriable?: unknown }).retriable !== true) throw error;
            await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
          }
        }
      };
      const anchorPartitions = (await counts([plan.anchor])).get(plan.anchor) ?? plan.partitions;
      await create(plan.coPartitioned, anchorPartitions);
      await create(plan.others, plan.partitions);
      if (plan.deadLetter !== undefined) {
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: TOPIC_RESOURCE, name: plan.anchor, configNames: ["max.message.bytes"] }],
        });
        const anchorLimit = Number(resources[0]?.configEntries[0]?.configValue);
        const limit = Number.isFinite(anchorLimit) && anchorLimit > 0 ? anchorLimit : 1_048_588;
        await create([plan.deadLetter], plan.partitions, [
          { name: "max.message.bytes", value: String(limit + DEAD_LETTER_HEADROOM) },
        ]);
      }
      for (const [topic, count] of await counts(plan.coPartitioned)) {
        if (count !== anchorPartitions) {
          throw new Error(
            `${topic} has ${count} partitions but ${plan.anchor} has ${anchorPartitions}; they must match`,
          );
        }
      }
      return counts([plan.anchor, ...plan.coPartitioned, ...plan.others]);
    } finally {
      await admin.disconnect();
    }
  }

  async function publisher(): Promise<Publisher> {
    const create = () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
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

  async function consume(options: ConsumerOptions): Promise<GroupConsumer> {
    const consumer: Consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitioned],
      retry: { retries: 8, restartOnFailure: async () => true },
      ...FETCH,
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
        const control = {
          heartbeat: payload.heartbeat,
          isActive: () => payload.isRunning() && !payload.isStale(),
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

  return { ensureTopics, publisher, consume };
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

/** A consumed message; key and headers are decoded only when asked for (dead letters), not per event. */
class Inbound implements InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Buffer | null;
  readonly #message: KafkaMessage;

  constructor(topic: string, partition: number, message: KafkaMessage) {
    this.topic = topic;
    this.partition = partition;
    this.offset = Number(message.offset);
    this.value = message.value;
    this.#message = message;
  }

  get key(): string | null {
    return this.#message.key?.toString("utf8") ?? null;
  }

  get headers(): Record<string, string> {
    return headersOf(this.#message.headers);
  }
}

function headersOf(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = String(value);
  }
  return result;
}

/**
 * Gives one member the same partition number of every subscribed topic, as Kafka Streams does for
 * co-partitioned topics: a user's events and the verdicts about that user (same key, same partition
 * count) are then handled by one replica, which owns that user's state.
 */
const coPartitioned: PartitionAssigner = ({ cluster }) => ({
  name: "VigilCoPartitioned",
  version: 1,
  protocol: ({ topics }) => ({
    name: "VigilCoPartitioned",
    metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
  }),
  async assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const partitions = new Map(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId)]),
    );
    const plan = coPartitionedPlan(memberIds, partitions);
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: plan.get(memberId) ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
});

/** Partition p of every topic goes to member p mod n (members in a stable order). */
export function coPartitionedPlan(
  memberIds: string[],
  partitions: Map<string, number[]>,
): Map<string, Record<string, number[]>> {
  const plan = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
  for (const [topic, numbers] of partitions) {
    for (const partition of numbers) {
      const owner = plan.get(memberIds[partition % memberIds.length] as string);
      if (owner) owner[topic] = [...(owner[topic] ?? []), partition];
    }
  }
  return plan;
}

export type KafkaConnection = ReturnType<typeof connectKafka>;
