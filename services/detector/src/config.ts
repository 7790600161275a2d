import { configure, type DetectionConfig } from "@vigil/detection";
import { SEVERITIES } from "@vigil/events";
import { z } from "zod";
import { checkKafkaSettings, kafkaSettings } from "./kafkaSettings.ts";
import { duration, int } from "./settingTypes.ts";

/** Separate PostgreSQL pools, so that a flood of API reads cannot starve the consumer, or the reverse. */
const databasePoolSettings = {
  DATABASE_API_POOL_SIZE: int(6, 1),
  DATABASE_API_STATEMENT_TIMEOUT_MS: int(5_000, 100),
  /** Batches, the outbox relay and the retention job (which lifts the timeout for its own statements). */
  DATABASE_CONSUMER_POOL_SIZE: int(6, 2),
  DATABASE_CONSUMER_STATEMENT_TIMEOUT_MS: int(60_000, 100),
};

/**
 * Every setting of the service, parsed once from the environment (docs/contract.md, "Running it" and the
 * documented extensions). Nothing else reads `process.env`.
 */
export const configSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default("localhost:9092")
    .transform((value) =>
      value
        .split(",")
        .map((broker) => broker.trim())
        .filter(Boolean),
    ),
  KAFKA_GROUP_ID: z.string().min(1).default("vigil-detector"),
  KAFKA_CLIENT_ID: z.string().min(1).default("vigil"),
  /** Prefix for every topic name, for clusters shared by several deployments; empty by default. */
  KAFKA_TOPIC_PREFIX: z.string().default(""),
  /** Partitions of the topics the service creates when missing. */
  KAFKA_TOPIC_PARTITIONS: int(6, 1),
  /** Partitions processed at once by one replica. */
  KAFKA_PARTITION_CONCURRENCY: int(2, 1),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().default("./.vigil"),
  PORT: int(8080),
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters (HS256 key)"),
  AUTH_JWT_ISSUER: z.string().optional(),
  AUTH_JWT_AUDIENCE: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Raw IPs are kept this long; then only the keyed hash and the network prefix remain. */
  IP_RETENTION_DAYS: int(30, 1),
  /**
   * HMAC key for IP hashes. Required with DATABASE_URL: a network prefix and an HMAC under a key
   * anyone holding the JWT secret can derive give the address back in 256 tries. Only the embedded
   * demo (no DATABASE_URL) derives one from AUTH_JWT_SECRET.
   */
  IP_HASH_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  /** Events are kept this long (whole weekly partitions are dropped, so up to 7 days more). */
  EVENTS_RETENTION_DAYS: int(90, 1),
  /** Resolved flags, with their notices and users' answers, are kept this long after their last change. */
  RESOLVED_RETENTION_DAYS: int(180, 1),
  RETENTION_INTERVAL_MINUTES: int(60, 1),
  NOTICE_MIN_SEVERITY: z.enum(SEVERITIES).default("high"),
  NOTICE_MAX_PER_USER: int(3, 1),
  NOTICE_WINDOW_HOURS: int(24, 1),
  /** Events dated further than this into the future are dead-lettered. */
  MAX_FUTURE_SKEW_MINUTES: int(10, 0),
  /** User profiles kept in memory per replica (LRU), bounded by count and by bytes of JSON. */
  PROFILE_CACHE_SIZE: int(200_000, 100),
  /**
   * 32 MiB: ~10k settled profiles of ~3 KB or ~30k new ones, part of the 600 MiB a replica stays
   * under (README, Memory). A miss costs one indexed read per batch for all its missing users.
   */
  PROFILE_CACHE_MIB: int(32, 1),
  /**
   * Bytes of consumed messages processed at once across partitions: fetched batches are planned,
   * written and committed in slices of CONSUMER_MIB_IN_FLIGHT / KAFKA_PARTITION_CONCURRENCY. What a
   * slice costs in memory grows with it (parsed events, new states, their JSON, the statements'
   * text); smaller slices write a busy user's state more often.
   */
  CONSUMER_MIB_IN_FLIGHT: int(2, 1),
  ...kafkaSettings,
  ...databasePoolSettings,
  /** The longest lifetime a token may have: exp − iat, or exp − now without iat (seconds, or 30m, 12h, 1d). */
  AUTH_JWT_MAX_TTL: duration("24h"),
  API_RATE_LIMIT_PER_MINUTE: int(600, 1),
  API_MAX_BODY_BYTES: int(16 * 1024, 256),
  SHUTDOWN_TIMEOUT_MS: int(15_000, 1000),
  /** A partition whose fetched messages have waited this long to commit is stalled: /readyz answers 503. */
  PARTITION_STALL_SECONDS: int(120, 1),
  /**
   * An activity partition with nothing to read for this long says it is idle, and stops holding back
   * the spray and stuffing verdicts of the other partitions' logins.
   */
  PARTITION_IDLE_SECONDS: int(30, 1),
  /**
   * How far (event time) the by-source stage waits for a lagging activity partition before it judges
   * a busy source from the source's own logins: the memory a held-back source may take, against
   * verdicts that depend on delivery while partitions are further apart than this.
   */
  SOURCE_MAX_HOLD_MINUTES: int(240, 15),
  /**
   * How far (event time) an activity partition reading history may run ahead of the spray and
   * stuffing verdicts it may still receive, so that each finds its session (at most 660: a quiet
   * session's 12 h less the hour a verdict looks back); 0 turns the wait off.
   */
  VERDICT_LEAD_MINUTES: int(360, 0).pipe(z.number().max(660)),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.superRefine(requiredTogether).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** Settings that only make sense with others. */
function requiredTogether(config: Config, ctx: z.RefinementCtx): void {
  const issue = (path: keyof Config, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (config.DATABASE_URL !== undefined && config.IP_HASH_KEY === undefined) {
    issue("IP_HASH_KEY", "required with DATABASE_URL (a secret of its own, e.g. openssl rand -hex 32)");
  }
  checkKafkaSettings(config, issue);
}

/** The engine's settings the environment changes. */
export function engineOf(config: Config): DetectionConfig {
  const lead = config.VERDICT_LEAD_MINUTES;
  return configure({
    source: {
      maxHoldMs: config.SOURCE_MAX_HOLD_MINUTES * 60_000,
      leadMs: lead === 0 ? Number.POSITIVE_INFINITY : lead * 60_000,
    },
  });
}
