import type { Notice } from "@vigil/events";
import { type CounterChange, savePartitionCounters } from "./counters.ts";
import { type EventRecord, insertEvents } from "./events.ts";
import { type DetectedFlag, type StoredFlag, upsertFlags } from "./flags.ts";
import { insertNotices, type NoticeLimit } from "./notices.ts";
import { advanceOffsets, type OffsetAdvance } from "./offsets.ts";
import { enqueue, type OutboxMessage } from "./outbox.ts";
import type { Sql } from "./sql.ts";
import { type PartitionKey, savePartitionState, saveSourceStates, saveUserStates } from "./states.ts";

/** Everything one consumed batch changes. It lands whole, with its offsets, or not at all. */
export interface BatchWrite {
  groupId: string;
  offsets: OffsetAdvance[];
  events: EventRecord[];
  userStates: { userId: string; state: unknown }[];
  sourceStates: { network: string; state: unknown }[];
  partitionStates: { key: PartitionKey; state: unknown }[];
  /** Changed counters of partition states kept as counters (the population). */
  partitionCounters?: { key: PartitionKey; changes: CounterChange[] }[];
  flags: DetectedFlag[];
  /** Candidate notices; those over the user's limit or for an already noticed flag are dropped. */
  notices: Notice[];
  noticeLimit: NoticeLimit;
  /** Messages to publish after commit other than flags and notices (e.g. re-keyed events). */
  messages: OutboxMessage[];
  /**
   * Runs last inside the transaction, once everything else is written (fenced offsets checked,
   * events new): for effects outside the database that may repeat but must not be lost.
   */
  beforeCommit?: () => Promise<void>;
  /** Turns stored flags and inserted notices into their outbox messages. */
  publishAs: { flag(flag: StoredFlag): OutboxMessage; notice(notice: Notice): OutboxMessage };
  now: string;
}

export interface BatchResult {
  flags: StoredFlag[];
  notices: Notice[];
}

export async function commitBatch(sql: Sql, batch: BatchWrite): Promise<BatchResult> {
  return sql.transaction(async (tx) => {
    await advanceOffsets(tx, batch.groupId, batch.offsets);
    await insertEvents(tx, batch.events);
    await saveUserStates(tx, batch.userStates);
    await saveSourceStates(tx, batch.sourceStates);
    for (const { key, state } of batch.partitionStates) await savePartitionState(tx, key, state);
    for (const { key, changes } of batch.partitionCounters ?? [])
      await savePartitionCounters(tx, key, changes);
    const flags = await upsertFlags(tx, batch.flags, batch.now);
    const notices = await insertNotices(tx, batch.notices, batch.noticeLimit);
    await enqueue(tx, [
      ...batch.messages,
      ...flags.map(batch.publishAs.flag),
      ...notices.map(batch.publishAs.notice),
    ]);
    await batch.beforeCommit?.();
    return { flags, notices };
  });
}
