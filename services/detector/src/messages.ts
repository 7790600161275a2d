import { randomUUID } from "node:crypto";
import type { PartitionWatermark, SourceVerdict } from "@vigil/detection";
import { cleanText, DLQ_HEADERS, type Notice, TOPICS, type Topics } from "@vigil/events";
import type { OutboxMessage, StoredFlag } from "@vigil/store";
import type { SourceLogin } from "./consumer/sourceLogin.ts";
import type { FeedbackMessage } from "./feedback.ts";
import { keyOnPartition } from "./kafka/partitioning.ts";
import type { InboundMessage, OutboundMessage } from "./kafka/types.ts";

/** Header carrying the outbox message id, so that downstream consumers can drop a re-delivery. */
export const MESSAGE_ID_HEADER = "vigil-message-id";

/** Values of the `vigil-dlq-reason` header: why a message was dead-lettered. */
export const DEAD_LETTER_REASONS = [
  "too_large",
  "not_json",
  "not_object",
  "invalid",
  "invalid_text",
  "future_event",
  "engine_error",
  "store_rejected",
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
/** The `vigil-dlq-detail` header is cut to this many characters. */
export const DEAD_LETTER_DETAIL_MAX = 1000;

/** A flag as published on `account-flags`: the contract's fields, and how it was resolved. */
export function flagMessage(topics: Topics, flag: StoredFlag): OutboxMessage {
  return { messageId: randomUUID(), topic: topics.flags, key: flag.userId, value: JSON.stringify(flag) };
}

export function noticeMessage(topics: Topics, notice: Notice): OutboxMessage {
  return {
    messageId: `notice:${notice.id}`,
    topic: topics.notices,
    key: notice.userId,
    value: JSON.stringify(notice),
  };
}

/**
 * The original bytes, untouched, with headers naming why and where from. Key, headers and detail
 * are text the outbox stores: whatever the sender put in them is made storable (see cleanText).
 */
export function deadLetter(
  topics: Topics,
  message: InboundMessage,
  reason: DeadLetterReason,
  detail: string,
): OutboxMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[cleanText(name)] = cleanText(value);
  return {
    messageId: `dlq:${message.topic}:${message.partition}:${message.offset}`,
    topic: topics.deadLetter,
    key: cleanText(message.key ?? ""),
    value: message.value ?? new Uint8Array(),
    headers: {
      ...headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.detail]: cleanText(detail, DEAD_LETTER_DETAIL_MAX),
      [DLQ_HEADERS.sourceTopic]: message.topic,
      [DLQ_HEADERS.sourcePartition]: String(message.partition),
      [DLQ_HEADERS.sourceOffset]: String(message.offset),
    },
  };
}

/**
 * A login re-keyed by its source network for cross-account detection (docs/architecture.md, decision 4), with
 * the network prefix and the address's keyed hash instead of the address (`SourceLogin`).
 * Published before its batch commits, not through the outbox: a batch that does not commit is
 * replayed and publishes the same message again, which the source state counts once.
 */
export function bySourceMessage(topics: Topics, login: SourceLogin, source = login.network): OutboundMessage {
  const id = source === login.network ? login.id : `${source}:${login.id}`;
  return {
    topic: topics.bySource,
    key: source,
    value: JSON.stringify(login),
    headers: { [MESSAGE_ID_HEADER]: `src:${id}` },
  };
}

/** A source's verdict about one account, back to the replica that owns the account. */
export function verdictMessage(topics: Topics, verdict: SourceVerdict): OutboxMessage {
  return {
    // One verdict per source, window end and account: a replayed batch sends the same ids.
    messageId: `verdict:${verdict.network}:${verdict.at}:${verdict.userId}`,
    topic: topics.verdicts,
    key: verdict.userId,
    value: JSON.stringify(verdict),
  };
}

/** An analyst's resolution or a user's answer, on its way to the profile it teaches. */
export function feedbackMessage(feedback: FeedbackMessage, topic: string = TOPICS.feedback): OutboxMessage {
  return { messageId: randomUUID(), topic, key: feedback.userId, value: JSON.stringify(feedback) };
}

/** The by-source key of an activity partition's mark: no network or autonomous system is named so. */
export const MARK_KEY = "watermark";

/** An activity partition's mark, to every one of the `partitions` of the by-source topic. */
export function markMessages(
  topics: Topics,
  mark: PartitionWatermark,
  partitions: number,
): OutboundMessage[] {
  const value = JSON.stringify({ watermark: mark });
  return Array.from({ length: partitions }, (_, partition) => ({
    topic: topics.bySource,
    partition,
    key: MARK_KEY,
    value,
  }));
}

/**
 * A by-source partition's clock, as the account stage reads it on the verdicts topic: every verdict
 * the partition judged up to `at` was published before it (consumer/verdictGate.ts).
 */
export interface VerdictClockMark {
  /** The by-source partition. */
  partition: number;
  /** Partitions of the by-source topic. */
  partitions: number;
  at: number;
}

/** A by-source partition's clock, to every one of the `partitions` of the verdicts topic, after its verdicts. */
export function verdictClockMessages(
  topics: Topics,
  mark: VerdictClockMark,
  partitions: number,
): OutboxMessage[] {
  const value = JSON.stringify({ verdictClock: mark });
  return Array.from({ length: partitions }, (_, partition) => ({
    messageId: `clock:${mark.partition}:${mark.at}:${partition}`,
    topic: topics.verdicts,
    key: keyOnPartition(partitions, partition),
    value,
  }));
}
