import { accessSync, constants } from "node:fs";
import type { Topics } from "@vigil/events";
import { z } from "zod";
import type { KafkaSecurity } from "./kafka/connection.ts";
import { file, flag, int } from "./settingTypes.ts";

/** The settings of the connection to the brokers and of the topics Vigil creates (part of config.ts). */
export const kafkaSettings = {
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
  /**
   * How long the group waits for a replica that stopped heartbeating (killed, lost node) before its
   * partitions go to the others. Shorter recovers sooner after a crash; too short evicts a replica
   * that a long GC pause or a slow database keeps from heartbeating. Within the brokers' bounds
   * (group.min/max.session.timeout.ms, 6 s and 30 min by default).
   */
  KAFKA_SESSION_TIMEOUT_SECONDS: int(30, 6).pipe(z.number().max(1800)),
  /** `retention.ms` of account-activity, account-flags, account-security-notices when Vigil creates them. */
  KAFKA_RETENTION_HOURS: int(7 * 24, 1),
  /** The internal topics (by-source, verdicts, feedback): consumed within seconds; this covers an outage. */
  KAFKA_INTERNAL_RETENTION_HOURS: int(3 * 24, 1),
  /** The dead-letter topic: time for people to look, fix the producer and re-produce. */
  KAFKA_DLQ_RETENTION_HOURS: int(30 * 24, 1),
};

export type KafkaSettings = z.output<z.ZodObject<typeof kafkaSettings>>;

/** What the TLS and SASL settings need together; `issue` reports one setting's problem. */
export function checkKafkaSettings(
  settings: KafkaSettings,
  issue: (name: keyof KafkaSettings, message: string) => void,
): void {
  const sasl = settings.KAFKA_SASL_MECHANISM;
  if (sasl !== undefined) {
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (settings[name] === undefined) issue(name, `required with KAFKA_SASL_MECHANISM=${sasl}`);
    }
    if (!settings.KAFKA_SSL && sasl === "plain") {
      issue(
        "KAFKA_SSL",
        "must be true with KAFKA_SASL_MECHANISM=plain (the password would cross the network in clear)",
      );
    }
  } else {
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (settings[name] !== undefined)
        issue(name, "needs KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)");
    }
  }
  for (const name of ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const) {
    const path = settings[name];
    if (path === undefined) continue;
    if (!settings.KAFKA_SSL) issue(name, "needs KAFKA_SSL=true");
    try {
      accessSync(path, constants.R_OK);
    } catch {
      issue(name, `cannot read ${path}`);
    }
  }
  if ((settings.KAFKA_SSL_CERT_FILE === undefined) !== (settings.KAFKA_SSL_KEY_FILE === undefined)) {
    issue(
      settings.KAFKA_SSL_CERT_FILE === undefined ? "KAFKA_SSL_CERT_FILE" : "KAFKA_SSL_KEY_FILE",
      "the client certificate and its key go together",
    );
  }
}

/** The brokers' TLS and SASL settings, as the Kafka client takes them. */
export function kafkaSecurity(settings: KafkaSettings): KafkaSecurity {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = settings;
  return {
    ssl: settings.KAFKA_SSL,
    caFile: settings.KAFKA_SSL_CA_FILE,
    certFile: settings.KAFKA_SSL_CERT_FILE,
    keyFile: settings.KAFKA_SSL_KEY_FILE,
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
} as const satisfies Record<keyof Topics, keyof KafkaSettings>;

/** `retention.ms` of every topic Vigil creates, by topic name. */
export function topicRetentionMs(settings: KafkaSettings, topics: Topics): Record<string, number> {
  return Object.fromEntries(
    Object.entries(TOPIC_RETENTION).map(([key, setting]) => [
      topics[key as keyof Topics],
      settings[setting] * 3_600_000,
    ]),
  );
}
