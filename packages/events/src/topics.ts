/** Kafka topics of the contract (CONTRACT.md §1–2) and the internal re-keyed stream (ARCHITECTURE.md §4). */
export const TOPICS = {
  activity: "account-activity",
  deadLetter: "account-activity.dlq",
  bySource: "account-activity.by-source",
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
