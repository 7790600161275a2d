import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Stall } from "./consumer/stalls.ts";
import type { Publisher } from "./kafka/types.ts";

/** What the profile cache gauges read at each scrape: the pipeline's cache of user states. */
export interface ProfileCacheUse {
  readonly size: number;
  readonly bytes: number;
}

/**
 * Every Prometheus series the service exposes, in one registry. The API's thread keeps its own
 * (without the process's series, which the main thread reports) and merges the main thread's in.
 */
export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "vigil_" });
  const registers = [registry];
  /** Where the stall gauge reads from at each scrape; the pipeline points it at its StallWatch. */
  const stalls = { read: (): Stall[] => [] };
  /** Where the waiting gauge reads from: the activity partitions paused for the verdict clock. */
  const waiting = { read: (): number[] => [] };
  /** The profile cache's gauges, registered once the pipeline hands over its cache (the API's thread has none). */
  const profileCache = {
    bind(cache: ProfileCacheUse): void {
      new Gauge({
        name: "vigil_profile_cache_size",
        help: "User profiles held in memory (bounded by PROFILE_CACHE_SIZE)",
        registers,
        collect() {
          this.set(cache.size);
        },
      });
      new Gauge({
        name: "vigil_profile_cache_bytes",
        help: "Bytes of serialized user profiles held in memory (bounded by PROFILE_CACHE_MIB)",
        registers,
        collect() {
          this.set(cache.bytes);
        },
      });
    },
  };
  return {
    registry,
    stalls,
    waiting,
    profileCache,
    eventsConsumed: new Counter({
      name: "vigil_events_consumed_total",
      help: "Events accepted from account-activity, by type",
      labelNames: ["type"],
      registers,
    }),
    eventsSkipped: new Counter({
      name: "vigil_events_skipped_total",
      help: "Messages skipped without dead-lettering, by reason (unknown_type, duplicate, late: a re-keyed login after its source judged its bucket)",
      labelNames: ["reason"],
      registers,
    }),
    logRewinds: new Counter({
      name: "vigil_partition_log_rewinds_total",
      help: "Batches whose partition's log ended before the stored offset (topic recreated, broker data lost): read from what the log holds",
      labelNames: ["topic"],
      registers,
    }),
    eventsMisrouted: new Counter({
      name: "vigil_events_misrouted_total",
      help: "Accepted events of accounts whose own partition is another (keyed by another hash, or not keyed): scored, at the cost of holding that partition's lock",
      registers,
    }),
    deadLettered: new Counter({
      name: "vigil_events_dead_lettered_total",
      help: "Messages sent to the dead-letter topic, by reason",
      labelNames: ["reason"],
      registers,
    }),
    consumerLag: new Gauge({
      name: "vigil_consumer_lag",
      help: "Messages behind the partition's high watermark after the last batch",
      labelNames: ["topic", "partition"],
      registers,
    }),
    batchSeconds: new Histogram({
      name: "vigil_batch_duration_seconds",
      help: "Time to process and commit one batch",
      labelNames: ["topic"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    batchRetries: new Counter({
      name: "vigil_batch_retries_total",
      help: "Batches retried after a transient failure (database or broker unavailable)",
      registers,
    }),
    flags: new Counter({
      name: "vigil_flags_total",
      help: "Flag creations and changes, by severity and leading reason",
      labelNames: ["severity", "reason"],
      registers,
    }),
    storeQuerySeconds: new Histogram({
      name: "vigil_store_query_duration_seconds",
      help: "Time of each database query, by statement (verb and first table)",
      labelNames: ["statement"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    notices: new Counter({ name: "vigil_notices_total", help: "Notices created for users", registers }),
    published: new Counter({
      name: "vigil_published_total",
      help: "Messages published to Kafka (from the outbox or by a batch), by topic",
      labelNames: ["topic"],
      registers,
    }),
    partitionWaiting: new Gauge({
      name: "vigil_partition_waiting_for_verdicts",
      help: "1 for an activity partition reading history that waits for the by-source stage's verdict clock (docs/guarantees.md); absent otherwise",
      labelNames: ["partition"],
      registers,
      collect() {
        this.reset();
        for (const partition of waiting.read()) this.set({ partition: String(partition) }, 1);
      },
    }),
    partitionStalled: new Gauge({
      name: "vigil_partition_stalled_seconds",
      help: "Seconds a partition's fetched messages have waited to commit (a batch in flight or retried); absent once committed",
      labelNames: ["topic", "partition"],
      registers,
      collect() {
        this.reset();
        for (const { topic, partition, seconds } of stalls.read())
          this.set({ topic, partition: String(partition) }, seconds);
      },
    }),
    unauditedRefusals: new Counter({
      name: "vigil_api_refused_unaudited_total",
      help: "Calls to analyst and operator routes refused before any audit: the token has no flags:* or audit:* scope",
      labelNames: ["route"],
      registers,
    }),
    httpRequests: new Histogram({
      name: "vigil_http_request_duration_seconds",
      help: "API requests by route and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The publisher, counting what it sent (`vigil_published_total`, by topic) for every caller. */
export function countingPublisher(publisher: Publisher, metrics: Metrics): Publisher {
  return {
    async send(messages) {
      await publisher.send(messages);
      const byTopic = new Map<string, number>();
      for (const { topic } of messages) byTopic.set(topic, (byTopic.get(topic) ?? 0) + 1);
      for (const [topic, count] of byTopic) metrics.published.inc({ topic }, count);
    },
    close: () => publisher.close(),
  };
}
