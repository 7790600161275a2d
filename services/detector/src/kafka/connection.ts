// The one folder that knows kafkajs (services/detector/src/kafka/): everything else sees plain
// messages, batches and a publisher (types.ts).

import { readFileSync } from "node:fs";
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";
import type { Logger } from "../log.ts";
import { type ConsumerOptions, consume } from "./groupConsumer.ts";
import { openPublisher } from "./publisher.ts";
import { ensureTopics, type TopicPlan } from "./topics.ts";

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

  return {
    /** Creates missing topics; answers the partition count of each (topics.ts). */
    ensureTopics: (plan: TopicPlan) => ensureTopics(kafka, plan),
    publisher: () => openPublisher(kafka, log),
    consume: (options: ConsumerOptions) => consume(kafka, log, options),
  };
}

export type KafkaConnection = ReturnType<typeof connectKafka>;
