/** Kafka topics of the contract (docs/contract.md) and the internal streams between replicas (docs/architecture.md, decision 4). */
export const TOPICS = {
  activity: "account-activity",
  deadLetter: "account-activity.dlq",
  bySource: "account-activity.by-source",
  /** Cross-account verdicts about a user, keyed by user and co-partitioned with `activity`. */
  verdicts: "account-activity.verdicts",
  /** Analyst resolutions and users' answers, keyed by user and co-partitioned with `activity`. */
  feedback: "account-activity.feedback",
  flags: "account-flags",
  notices: "account-security-notices",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Dead-letter headers: the reason and where the original bytes came from. */
export const DLQ_HEADERS = {
  reason: "vigil-dlq-reason",
  detail: "vigil-dlq-detail",
  sourceTopic: "vigil-source-topic",
  sourcePartition: "vigil-source-partition",
  sourceOffset: "vigil-source-offset",
} as const;

export type Topics = { readonly [K in keyof typeof TOPICS]: string };

/**
 * The topic names with a prefix, for clusters shared by several deployments or test runs. The
 * contract's names are those with the empty prefix.
 */
export function topicNames(prefix = ""): Topics {
  return Object.fromEntries(Object.entries(TOPICS).map(([k, v]) => [k, `${prefix}${v}`])) as Topics;
}
