// The consumer's integration tests share this: a pipeline on a given store, publishing to the real
// broker, with the service's defaults unless a test says otherwise.

import { defaultDetectionConfig } from "@vigil/detection";
import type { Topics } from "@vigil/events";
import type { Sql } from "@vigil/store";
import { testBrokers } from "../../../../test/support/kafka.ts";
import { connectKafka } from "../kafka/connection.ts";
import type { Publisher } from "../kafka/types.ts";
import { createLogger } from "../log.ts";
import { createMetrics } from "../metrics.ts";
import { createPipeline, type PipelineOptions } from "./pipeline.ts";

/** Creates the activity and by-source topics (one partition each) and opens a publisher. */
export async function testPublisher(topics: Topics, clientId: string): Promise<Publisher> {
  const kafka = connectKafka(testBrokers(), clientId, createLogger("silent"));
  await kafka.ensureTopics({
    anchor: topics.activity,
    coPartitioned: [],
    others: [topics.bySource],
    partitions: 1,
  });
  return kafka.publisher();
}

/**
 * The engine of a pipeline driven batch by batch: no by-source stage answers it, so its activity
 * partitions never wait for a verdict clock (a test of that join sets a finite lead).
 */
export const drivenEngine = {
  ...defaultDetectionConfig,
  source: { ...defaultDetectionConfig.source, leadMs: Number.POSITIVE_INFINITY },
};

export function testPipeline(
  sql: Sql,
  topics: Topics,
  publisher: Publisher,
  options: Partial<PipelineOptions> = {},
) {
  return createPipeline({
    sql,
    log: createLogger("silent"),
    metrics: createMetrics(),
    groupId: "g",
    topics,
    engine: drivenEngine,
    ipHashKey: Buffer.from("k"),
    maxFutureSkewMs: 600_000,
    noticeMinSeverity: "high",
    noticeLimit: { maxPerUser: 3, windowHours: 24 },
    profileCacheSize: 1000,
    profileCacheBytes: 1024 * 1024,
    publisher,
    onOutbox: () => {},
    partitions: { activity: 1, bySource: 1 },
    ...options,
  });
}

/** Batch control of a partition this replica keeps. */
export const active = { heartbeat: async () => {}, isActive: () => true, pause: () => () => {} };
