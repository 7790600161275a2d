import { type FlagStatus, type ReasonCode, SEVERITIES, type Severity, severityRank } from "@vigil/events";
import { FLAG_COLUMNS, flagOfRow, type StoredFlag } from "./flags.ts";
import type { Page } from "./page.ts";
import type { Sql } from "./sql.ts";

/** What an analyst narrows the queue to; every field combines with AND. */
export interface QueueFilter {
  severity?: Severity | undefined;
  status?: FlagStatus | undefined;
  reason?: ReasonCode | undefined;
  userId?: string | undefined;
  /** Flags whose session was last active at or after this time. */
  since?: string | undefined;
  /** … and before this one. */
  until?: string | undefined;
}

/** Where a queue page ends: the queue's order is severity, then latest activity, then id, all descending. */
interface QueuePosition {
  rank: number;
  lastEventAt: string;
  id: string;
}

export class InvalidQueueCursorError extends Error {}

export function encodeQueueCursor(position: QueuePosition): string {
  return Buffer.from(JSON.stringify(["q", position.rank, position.lastEventAt, position.id])).toString(
    "base64url",
  );
}

export function decodeQueueCursor(cursor: string): QueuePosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 4 && value[0] === "q") {
      const [, rank, lastEventAt, id] = value;
      if (
        Number.isInteger(rank) &&
        rank >= 0 &&
        rank < SEVERITIES.length &&
        typeof lastEventAt === "string" &&
        !Number.isNaN(Date.parse(lastEventAt)) &&
        typeof id === "string"
      ) {
        return { rank, lastEventAt, id };
      }
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidQueueCursorError("cursor is not one this API returned");
}

/** The filter as SQL conditions, with its parameters appended to `params`. */
function conditions(filter: QueueFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.severity !== undefined) add((p) => `severity_rank = ${p}`, severityRank(filter.severity));
  if (filter.status !== undefined) add((p) => `status = ${p}`, filter.status);
  if (filter.reason !== undefined)
    add((p) => `reasons @> ${p}::jsonb`, JSON.stringify([{ code: filter.reason }]));
  if (filter.userId !== undefined) add((p) => `user_id = ${p}`, filter.userId);
  if (filter.since !== undefined) add((p) => `last_event_at >= ${p}`, filter.since);
  if (filter.until !== undefined) add((p) => `last_event_at < ${p}`, filter.until);
  return where;
}

const whereOf = (where: string[]) => (where.length > 0 ? `where ${where.join(" and ")}` : "");

/**
 * The analyst's queue: flags by severity, then latest activity (a session that keeps escalating
 * stays near the top), keyset-paginated so that pages stay stable while flags arrive.
 */
export async function listQueue(
  sql: Sql,
  filter: QueueFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<StoredFlag>> {
  const params: unknown[] = [];
  const where = conditions(filter, params);
  if (page.cursor !== undefined) {
    const at = decodeQueueCursor(page.cursor);
    params.push(at.rank, at.lastEventAt, at.id);
    const n = params.length;
    where.push(`(severity_rank, last_event_at, id) < ($${n - 2}::smallint, $${n - 1}::timestamptz, $${n})`);
  }
  params.push(page.limit + 1);
  const result = await sql.query(
    `select ${FLAG_COLUMNS} from flags ${whereOf(where)}
     order by severity_rank desc, last_event_at desc, id desc limit $${params.length}`,
    params,
  );
  const flags = result.rows.slice(0, page.limit).map(flagOfRow);
  const last = flags[flags.length - 1];
  const nextCursor =
    result.rows.length > page.limit && last
      ? encodeQueueCursor({ rank: severityRank(last.severity), lastEventAt: last.lastEventAt, id: last.id })
      : null;
  return { items: flags, nextCursor };
}

/** How many flags of each severity match the filter (its own severity aside): the queue's headline. */
export async function countQueue(sql: Sql, filter: QueueFilter): Promise<Record<Severity, number>> {
  const params: unknown[] = [];
  const where = conditions({ ...filter, severity: undefined }, params);
  const result = await sql.query<{ severity_rank: number; n: string | number }>(
    `select severity_rank, count(*) as n from flags ${whereOf(where)} group by severity_rank`,
    params,
  );
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const row of result.rows) {
    const severity = SEVERITIES[row.severity_rank];
    if (severity) counts[severity] = Number(row.n);
  }
  return counts;
}
