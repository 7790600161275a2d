import type { ConfigResourceTypes, Kafka } from "kafkajs";
import { backoffMs } from "../backoff.ts";

/** ConfigResourceTypes.TOPIC; kafkajs' CommonJS build does not expose the enum to ES imports. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
/** Room for the reason and origin headers a dead letter adds to the original message. */
const DEAD_LETTER_HEADROOM = 64 * 1024;

export interface TopicPlan {
  anchor: string;
  coPartitioned: string[];
  others: string[];
  deadLetter?: string;
  partitions: number;
  /** `retention.ms` of each topic created, by name; a topic not named keeps the broker's default. */
  retentionMs?: Record<string, number>;
}

/**
 * Creates missing topics and answers the partition count of each (dead-letter topic aside).
 * `anchor` is created first with `partitions`; the `coPartitioned` topics get (and must have) the
 * anchor's partition count, since one replica must own the same user on all.
 * `deadLetter` takes copies of anchor messages with headers added, so it is created accepting
 * messages larger than the anchor's limit by DEAD_LETTER_HEADROOM; otherwise the copy of a message
 * near that limit could never be published, and would stall the outbox behind it for good.
 */
export async function ensureTopics(kafka: Kafka, plan: TopicPlan): Promise<Map<string, number>> {
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
