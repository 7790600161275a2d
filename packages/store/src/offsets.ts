import type { Sql } from "./sql.ts";

/** Raised when another consumer committed this partition since our batch began: our batch must not land. */
export class FencedError extends Error {}

export interface OffsetAdvance {
  topic: string;
  partition: number;
  /** The stored offset the batch started from; null when the partition was never committed. */
  from: number | null;
  /** The offset of the next message to read. */
  next: number;
}

/** Stored next offsets of a group for one topic, by partition. */
export async function loadOffsets(sql: Sql, groupId: string, topic: string): Promise<Map<number, number>> {
  const result = await sql.query<{ partition: number; next_offset: string | number }>(
    "select partition, next_offset from consumer_offsets where group_id = $1 and topic = $2",
    [groupId, topic],
  );
  return new Map(result.rows.map((row) => [row.partition, Number(row.next_offset)]));
}

/** Moves offsets forward inside the batch's transaction, refusing if someone else moved them first. */
export async function advanceOffsets(sql: Sql, groupId: string, advances: OffsetAdvance[]): Promise<void> {
  for (const { topic, partition, from, next } of advances) {
    const result = await sql.query(
      `insert into consumer_offsets as o (group_id, topic, partition, next_offset) values ($1, $2, $3, $4)
       on conflict (group_id, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()
       where o.next_offset = $5`,
      [groupId, topic, partition, next, from ?? -1],
    );
    if (result.rowCount !== 1) {
      throw new FencedError(`${topic}[${partition}] was committed by another consumer since offset ${from}`);
    }
  }
}
