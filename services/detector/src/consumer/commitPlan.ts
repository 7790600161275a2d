import type { Topics } from "@vigil/events";
import { type BatchResult, commitBatch, type NoticeLimit, type Sql } from "@vigil/store";
import type { Publisher } from "../kafka/types.ts";
import type { Logger } from "../log.ts";
import { flagMessage, noticeMessage } from "../messages.ts";
import type { Metrics } from "../metrics.ts";
import type { BatchPlan } from "./context.ts";

/** Where a plan commits: the store, the consumer group's offsets, and the publisher of what is sent before. */
export interface CommitTarget {
  sql: Sql;
  groupId: string;
  topics: Topics;
  noticeLimit: NoticeLimit;
  publisher: Publisher;
}

/**
 * A plan's write in the batch's one transaction, with the partition's stored offset moved from
 * `from` to `next` (fenced: refused if another consumer moved it meanwhile). What the plan publishes
 * is sent last inside the transaction, so it is never lost and at worst sent twice.
 */
export function commitPlan(
  target: CommitTarget,
  offset: { topic: string; partition: number; from: number | null; next: number },
  plan: BatchPlan,
  at: Date,
): Promise<BatchResult> {
  const { write, publish } = plan;
  const { topics } = target;
  return commitBatch(target.sql, {
    groupId: target.groupId,
    offsets: [offset],
    events: write.events ?? [],
    userStates: write.userStates ?? [],
    sourceStates: write.sourceStates ?? [],
    partitionStates: write.partitionStates ?? [],
    partitionCounters: write.partitionCounters ?? [],
    flags: write.flags ?? [],
    notices: write.notices ?? [],
    noticeLimit: target.noticeLimit,
    messages: write.messages ?? [],
    publishAs: { flag: (f) => flagMessage(topics, f), notice: (n) => noticeMessage(topics, n) },
    beforeCommit: async () => {
      if (publish?.length) await target.publisher.send(publish);
    },
    now: at.toISOString(),
  });
}

/** Counts and logs the flags and notices a batch committed. */
export function reportCommitted(result: BatchResult, metrics: Metrics, log: Logger): void {
  for (const flag of result.flags) {
    metrics.flags.inc({ severity: flag.severity, reason: flag.reasons[0]?.code ?? "none" });
    log.info(
      {
        flagId: flag.id,
        userId: flag.userId,
        severity: flag.severity,
        reasons: flag.reasons.map((r) => r.code),
      },
      "flag",
    );
  }
  metrics.notices.inc(result.notices.length);
}
