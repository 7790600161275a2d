import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Topics, topicNames } from "@vigil/events";
import { loadOffsets, openStore, type Sql, storeAnswers } from "@vigil/store";
import { createApi } from "./api/index.ts";
import { type ApiThread, startApiThread } from "./apiThread.ts";
import { backoffMs } from "./backoff.ts";
import { type Config, engineOf } from "./config.ts";
import { createPipeline, type Pipeline } from "./consumer/pipeline.ts";
import { consumedTopics, topicPlan } from "./consumer/topicRoles.ts";
import { connectKafka } from "./kafka/connection.ts";
import type { GroupConsumer } from "./kafka/groupConsumer.ts";
import { kafkaSecurity, topicRetentionMs } from "./kafkaSettings.ts";
import type { Logger } from "./log.ts";
import { countingPublisher, createMetrics } from "./metrics.ts";
import { startOutboxRelay } from "./outboxRelay.ts";
import { type ConsumerState, readinessOf } from "./readiness.ts";
import { startRetention } from "./retention.ts";
import { timedSql } from "./storeTiming.ts";

export interface RunningService {
  /** The port the API listens on (useful with PORT=0). */
  port: number;
  /** Readiness off, HTTP closed, group left, outbox drained, store closed; bounded by SHUTDOWN_TIMEOUT_MS. */
  stop(): Promise<void>;
}

/**
 * The IP hash key: its own secret, required with DATABASE_URL (config.ts). Only the embedded demo
 * derives one from the JWT secret under a fixed label, for a database that never leaves the machine.
 */
function ipHashKey(config: Config): Buffer {
  if (config.IP_HASH_KEY) return Buffer.from(config.IP_HASH_KEY);
  return createHmac("sha256", config.AUTH_JWT_SECRET).update("vigil ip hash key v1").digest();
}

/**
 * Runs `work` again while the broker answers with a retriable error: a broker that just started,
 * or topics just created, answer "This server does not host this topic-partition" for a moment.
 */
async function whileBrokerSettles<T>(log: Logger, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const { retriable, cause } = error as { retriable?: unknown; cause?: { retriable?: unknown } };
      if (attempt >= 9 || (retriable !== true && cause?.retriable !== true)) throw error;
      log.warn({ err: (error as Error).message, attempt }, "the broker is not ready for us yet; retrying");
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}

/** Wires and starts consumer, outbox relay, retention and API in this process. */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const metrics = createMetrics();
  const engine = engineOf(config);
  // The consumer (with the relay and retention) and the API each have their own pool, so that neither
  // can take all connections from the other; PGlite is one embedded connection, shared.
  const sql = timedSql(
    await openStore({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      maxConnections: config.DATABASE_CONSUMER_POOL_SIZE,
      statementTimeoutMs: config.DATABASE_CONSUMER_STATEMENT_TIMEOUT_MS,
      applicationName: "vigil-consumer",
    }),
    metrics,
  );
  log.info({ store: sql.kind }, "store ready");
  const retention = await startRetention({
    sql,
    log,
    policy: {
      ipDays: config.IP_RETENTION_DAYS,
      eventDays: config.EVENTS_RETENTION_DAYS,
      resolvedDays: config.RESOLVED_RETENTION_DAYS,
      // A silent source's last bucket is judged once every partition has passed it: up to the hold later.
      sourceIdleMs: engine.source.maxHoldMs + 2 * engine.source.windowMs,
    },
    intervalMinutes: config.RETENTION_INTERVAL_MINUTES,
  });
  const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  // The API serves from here on: analysts read flags, and probes see the process alive (and not
  // ready), while the broker is still out of reach.
  let stopping = false;
  let consumer: GroupConsumer | null = null;
  let pipeline: Pipeline | null = null;
  const consumerState = (): ConsumerState => ({
    member: !stopping && consumer !== null && consumer.isMember(),
    stalled: (pipeline?.stalled() ?? []).map(({ topic, partition }) => `${topic}:${partition}`),
  });
  // With PostgreSQL the API runs in a thread of its own (apiThread.ts); the embedded PGlite is one
  // connection in this thread, so its API shares this event loop.
  const api = config.DATABASE_URL
    ? await startApiThread({ config, log, metrics, consumer: consumerState })
    : await serveApi({ config, log, metrics, sql, topics, consumer: consumerState });
  const port = api.port;
  log.info({ port }, "api listening");
  const started = await startConsuming().catch(async (error: unknown) => {
    await api.stop();
    await retention.stop();
    await sql.close();
    throw error;
  });
  log.info({ port, brokers: config.KAFKA_BROKERS, group: config.KAFKA_GROUP_ID }, "vigil started");

  async function shutdown(): Promise<void> {
    stopping = true;
    await api.stop();
    await started.stop();
    await retention.stop();
    await sql.close();
  }

  return {
    port,
    stop() {
      const timeout = new Promise<never>((_, reject) => {
        setTimeout(() => reject(new Error("shutdown timed out")), config.SHUTDOWN_TIMEOUT_MS).unref();
      });
      return Promise.race([shutdown(), timeout]);
    },
  };

  /** Topics, publisher, outbox relay, pipeline and consumer; answers how to stop them. */
  async function startConsuming(): Promise<{ stop(): Promise<void> }> {
    const kafka = connectKafka(config.KAFKA_BROKERS, config.KAFKA_CLIENT_ID, log, kafkaSecurity(config));
    const partitions = await whileBrokerSettles(log, () =>
      kafka.ensureTopics({
        ...topicPlan(topics),
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        retentionMs: topicRetentionMs(config, topics),
      }),
    );
    const publisher = countingPublisher(await kafka.publisher(), metrics);
    const relay = startOutboxRelay({ sql, publisher, log });
    const running = createPipeline({
      sql,
      log,
      metrics,
      groupId: config.KAFKA_GROUP_ID,
      topics,
      engine,
      ipHashKey: ipHashKey(config),
      maxFutureSkewMs: config.MAX_FUTURE_SKEW_MINUTES * 60_000,
      noticeMinSeverity: config.NOTICE_MIN_SEVERITY,
      noticeLimit: { maxPerUser: config.NOTICE_MAX_PER_USER, windowHours: config.NOTICE_WINDOW_HOURS },
      profileCacheSize: config.PROFILE_CACHE_SIZE,
      profileCacheBytes: config.PROFILE_CACHE_MIB * 1024 * 1024,
      publisher,
      onOutbox: relay.wake,
      stallSeconds: config.PARTITION_STALL_SECONDS,
      partitions: {
        activity: partitions.get(topics.activity) ?? config.KAFKA_TOPIC_PARTITIONS,
        bySource: partitions.get(topics.bySource) ?? config.KAFKA_TOPIC_PARTITIONS,
      },
    });
    pipeline = running;
    const member = await kafka
      .consume({
        groupId: config.KAFKA_GROUP_ID,
        topics: consumedTopics(topics),
        concurrency: config.KAFKA_PARTITION_CONCURRENCY,
        maxBytesInFlight: config.CONSUMER_MIB_IN_FLIGHT * 1024 * 1024,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_SECONDS * 1000,
        onBatch: running.onBatch,
        // Resume every owned partition where the store says (its offsets are the truth, e.g. after the
        // database was restored from a backup older than Kafka's committed offsets).
        async onAssignment(owned) {
          running.onAssignment(owned);
          const resume = new Map<string, Map<number, number>>();
          for (const [topic, partitions] of owned) {
            const stored = await loadOffsets(sql, config.KAFKA_GROUP_ID, topic);
            resume.set(topic, new Map([...stored].filter(([partition]) => partitions.includes(partition))));
          }
          return resume;
        },
      })
      .catch(async (error: unknown) => {
        await relay.stop();
        await publisher.close();
        throw error;
      });
    consumer = member;
    // A quiet partition says so, for the by-source stage's clock not to wait for it (sourceClock.ts).
    const idleMarks = setInterval(
      () =>
        void running
          .publishIdle(config.PARTITION_IDLE_SECONDS)
          .catch((error: Error) =>
            log.warn({ err: error.message }, "could not publish an idle mark; will retry"),
          ),
      Math.max(1000, (config.PARTITION_IDLE_SECONDS * 1000) / 4),
    );
    idleMarks.unref();
    // A partition waiting for verdicts whose clock stopped moving goes on without it (verdictGate.ts).
    const stalledWaits = setInterval(() => running.releaseStalled(), 5000);
    stalledWaits.unref();
    return {
      async stop() {
        clearInterval(idleMarks);
        clearInterval(stalledWaits);
        await member.stop();
        await relay.stop();
        await publisher.close();
      },
    };
  }
}

/** The API in this thread, on the consumer's store (the embedded PGlite). */
async function serveApi(options: {
  config: Config;
  log: Logger;
  metrics: ReturnType<typeof createMetrics>;
  sql: Sql;
  topics: Topics;
  consumer(): ConsumerState;
}): Promise<ApiThread> {
  const { sql } = options;
  const api = createApi({
    ...options,
    readiness: async () => readinessOf(options.consumer(), await storeAnswers(sql)),
  });
  const server = serve({ fetch: api.fetch, port: options.config.PORT, hostname: "0.0.0.0" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
