import { accessSync, constants } from "node:fs";
import { SEVERITIES, type Topics } from "@vigil/events";
import { z } from "zod";
import type { KafkaSecurity } from "./kafka.ts";

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Seconds, written as a number of seconds or with a unit: `900`, `15m`, `12h`, `1d`. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
      const seconds = match
        ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? "s") as keyof typeof UNIT_SECONDS]
        : 0;
      if (seconds <= 0) {
        ctx.addIssue({
          code: "custom",
          message: "must be a positive duration: seconds, or a number with s, m, h or d",
        });
        return z.NEVER;
      }
      return seconds;
    });
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const flag = z
  .enum(["true", "false", "1", "0", ""], { error: "must be true or false" })
  .default("false")
  .transform((value) => value === "true" || value === "1");
const file = z.string().min(1).optional();

/** TLS and SASL towards the brokers; what they need together is checked in `loadConfig`. */
const kafkaSecuritySettings = {
  /** TLS to the brokers; the system's CAs unless KAFKA_SSL_CA_FILE names a PEM bundle. */
  KAFKA_SSL: flag,
  KAFKA_SSL_CA_FILE: file,
  /** A client certificate and key (PEM) for brokers that authenticate clients by TLS. */
  KAFKA_SSL_CERT_FILE: file,
  KAFKA_SSL_KEY_FILE: file,
  KAFKA_SASL_MECHANISM: z
    .enum(["plain", "scram-sha-256", "scram-sha-512"], {
      error: "must be plain, scram-sha-256 or scram-sha-512",
    })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

/** `retention.ms` of the topics Vigil creates (topics that exist already are left as they are). */
const topicRetentionSettings = {
  /** account-activity, account-flags, account-security-notices. */
  KAFKA_RETENTION_HOURS: int(7 * 24, 1),
  /** The internal topics (by-source, verdicts, feedback): consumed within seconds; this covers an outage. */
  KAFKA_INTERNAL_RETENTION_HOURS: int(3 * 24, 1),
  /** The dead-letter topic: time for people to look, fix the producer and re-produce. */
  KAFKA_DLQ_RETENTION_HOURS: int(30 * 24, 1),
};

/** Separate PostgreSQL pools, so that a flood of API reads cannot starve the consumer, or the reverse. */
const databasePoolSettings = {
  DATABASE_API_POOL_SIZE: int(6, 1),
  DATABASE_API_STATEMENT_TIMEOUT_MS: int(5_000, 100),
  /** Batches, the outbox relay and the retention job (which lifts the timeout for its own statements). */
  DATABASE_CONSUMER_POOL_SIZE: int(6, 2),
  DATABASE_CONSUMER_STATEMENT_TIMEOUT_MS: int(60_000, 100),
};

/**
 * Every setting of the service, parsed once from the environment (CONTRACT.md §5 and the
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
   * 64 MiB: ~20k settled profiles of ~3 KB or ~60k new ones; with geoip's ~100 MiB of tables the
   * process stays under 600 MiB. A miss costs one indexed read per batch for all its missing users.
   */
  PROFILE_CACHE_MIB: int(64, 1),
  ...kafkaSecuritySettings,
  ...topicRetentionSettings,
  ...databasePoolSettings,
  /** The longest lifetime a token may have: exp − iat, or exp − now without iat (seconds, or 30m, 12h, 1d). */
  AUTH_JWT_MAX_TTL: duration("24h"),
  API_RATE_LIMIT_PER_MINUTE: int(600, 1),
  API_MAX_BODY_BYTES: int(16 * 1024, 256),
  SHUTDOWN_TIMEOUT_MS: int(15_000, 1000),
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
  const sasl = config.KAFKA_SASL_MECHANISM;
  if (sasl !== undefined) {
    if (config.KAFKA_SASL_USERNAME === undefined)
      issue("KAFKA_SASL_USERNAME", `required with KAFKA_SASL_MECHANISM=${sasl}`);
    if (config.KAFKA_SASL_PASSWORD === undefined)
      issue("KAFKA_SASL_PASSWORD", `required with KAFKA_SASL_MECHANISM=${sasl}`);
    if (!config.KAFKA_SSL && sasl === "plain") {
      issue(
        "KAFKA_SSL",
        "must be true with KAFKA_SASL_MECHANISM=plain (the password would cross the network in clear)",
      );
    }
  } else {
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (config[name] !== undefined)
        issue(name, "needs KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)");
    }
  }
  for (const name of ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const) {
    const path = config[name];
    if (path === undefined) continue;
    if (!config.KAFKA_SSL) issue(name, "needs KAFKA_SSL=true");
    try {
      accessSync(path, constants.R_OK);
    } catch {
      issue(name, `cannot read ${path}`);
    }
  }
  if ((config.KAFKA_SSL_CERT_FILE === undefined) !== (config.KAFKA_SSL_KEY_FILE === undefined)) {
    issue(
      config.KAFKA_SSL_CERT_FILE === undefined ? "KAFKA_SSL_CERT_FILE" : "KAFKA_SSL_KEY_FILE",
      "the client certificate and its key go together",
    );
  }
}

/** The brokers' TLS and SASL settings, as the Kafka client takes them. */
export function kafkaSecurity(config: Config): KafkaSecurity {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  return {
    ssl: config.KAFKA_SSL,
    caFile: config.KAFKA_SSL_CA_FILE,
    certFile: config.KAFKA_SSL_CERT_FILE,
    keyFile: config.KAFKA_SSL_KEY_FILE,
    sasl: mechanism && username && password ? { mechanism, username, password } : undefined,
  };
}

/** Which retention each topic has: every topic must be named, so a new one cannot be forgotten. */
const TOPIC_RETENTION = {
  activity: "KAFKA_RETENTION_HOURS",
  flags: "KAFKA_RETENTION_HOURS",
  notices: "KAFKA_RETENTION_HOURS",
  bySource: "KAFKA_INTERNAL_RETENTION_HOURS",
  verdicts: "KAFKA_INTERNAL_RETENTION_HOURS",
  feedback: "KAFKA_INTERNAL_RETENTION_HOURS",
  deadLetter: "KAFKA_DLQ_RETENTION_HOURS",
} as const satisfies Record<keyof Topics, keyof typeof topicRetentionSettings>;

/** `retention.ms` of every topic Vigil creates, by topic name. */
export function topicRetentionMs(config: Config, topics: Topics): Record<string, number> {
  return Object.fromEntries(
    Object.entries(TOPIC_RETENTION).map(([key, setting]) => [
      topics[key as keyof Topics],
      config[setting] * 3_600_000,
    ]),
  );
}
