import {
  type Flag,
  type FlagStatus,
  type Location,
  type Reason,
  SEVERITIES,
  type Severity,
  severityRank,
} from "@vigil/events";
import { afterCursor, iso, type Page, type PageRequest, toPage } from "./page.ts";
import type { Sql } from "./sql.ts";

/** A flag as detection writes it: everything but the analyst-owned status and the store's times. */
export type DetectedFlag = Omit<Flag, "status" | "createdAt" | "updatedAt">;

export interface Resolution {
  verdict: "compromised" | "legitimate";
  note?: string | undefined;
  by: string;
  at: string;
}

export interface StoredFlag extends Flag {
  resolution: Resolution | null;
}

export interface FlagFilter {
  userId?: string | undefined;
  sessionId?: string | undefined;
  minSeverity?: Severity | undefined;
  status?: FlagStatus | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

interface FlagRow {
  id: string;
  user_id: string;
  session_id: string | null;
  severity_rank: number;
  score: number;
  status: FlagStatus;
  reasons: Reason[];
  location: Location | null;
  first_event_at: unknown;
  last_event_at: unknown;
  event_count: number;
  resolution: Resolution | null;
  created_at: unknown;
  updated_at: unknown;
}

const columns = `id, user_id, session_id, severity_rank, score, status, reasons, location, first_event_at,
  last_event_at, event_count, resolution, created_at, updated_at`;

function toFlag(row: FlagRow): StoredFlag {
  return {
    id: row.id,
    userId: row.user_id,
    sessionId: row.session_id,
    severity: SEVERITIES[row.severity_rank] ?? "low",
    score: row.score,
    status: row.status,
    reasons: row.reasons,
    location: row.location,
    firstEventAt: iso(row.first_event_at),
    lastEventAt: iso(row.last_event_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    eventCount: row.event_count,
    resolution: row.resolution,
  };
}

/** The columns and row reader of a flag, for statements of other store modules (the queue). */
export const FLAG_COLUMNS = columns;
export function flagOfRow(row: unknown): StoredFlag {
  return toFlag(row as FlagRow);
}

/**
 * Inserts new flags and updates existing ones in one statement. Severity and score never go down here:
 * an analyst's or user's escalation outlives later, calmer evidence.
 */
export async function upsertFlags(sql: Sql, records: DetectedFlag[], now: string): Promise<StoredFlag[]> {
  if (records.length === 0) return [];
  const input = records.map((r) => ({ ...r, severityRank: severityRank(r.severity) }));
  const result = await sql.query<FlagRow>(
    `insert into flags as f (id, user_id, session_id, severity_rank, score, reasons, location, first_event_at,
       last_event_at, event_count, created_at, updated_at)
     select x."id", x."userId", x."sessionId", x."severityRank", x."score", x."reasons", x."location",
       x."firstEventAt", x."lastEventAt", x."eventCount", $2, $2
     from jsonb_to_recordset($1::jsonb) as x("id" text, "userId" text, "sessionId" text, "severityRank" smallint,
       "score" smallint, "reasons" jsonb, "location" jsonb, "firstEventAt" timestamptz, "lastEventAt" timestamptz,
       "eventCount" int)
     on conflict (id) do update set
       severity_rank = greatest(f.severity_rank, excluded.severity_rank),
       score = greatest(f.score, excluded.score),
       reasons = excluded.reasons,
       location = coalesce(excluded.location, f.location),
       first_event_at = least(f.first_event_at, excluded.first_event_at),
       last_event_at = greatest(f.last_event_at, excluded.last_event_at),
       event_count = excluded.event_count,
       updated_at = excluded.updated_at
     returning ${columns}`,
    [JSON.stringify(input), now],
  );
  return result.rows.map(toFlag);
}

export async function getFlag(sql: Sql, id: string): Promise<StoredFlag | null> {
  const result = await sql.query<FlagRow>(`select ${columns} from flags where id = $1`, [id]);
  const row = result.rows[0];
  return row ? toFlag(row) : null;
}

export async function listFlags(sql: Sql, filter: FlagFilter, page: PageRequest): Promise<Page<StoredFlag>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.userId !== undefined) add((p) => `user_id = ${p}`, filter.userId);
  if (filter.sessionId !== undefined) add((p) => `session_id = ${p}`, filter.sessionId);
  if (filter.minSeverity !== undefined) add((p) => `severity_rank >= ${p}`, severityRank(filter.minSeverity));
  if (filter.status !== undefined) add((p) => `status = ${p}`, filter.status);
  if (filter.since !== undefined) add((p) => `created_at >= ${p}`, filter.since);
  if (filter.until !== undefined) add((p) => `created_at < ${p}`, filter.until);
  if (page.cursor !== undefined) where.push(afterCursor(page.cursor, params));
  params.push(page.limit + 1);
  const result = await sql.query<FlagRow>(
    `select ${columns} from flags ${where.length > 0 ? `where ${where.join(" and ")}` : ""}
     order by created_at desc, id desc limit $${params.length}`,
    params,
  );
  return toPage(result.rows.map(toFlag), page.limit);
}

/**
 * SQL for the newest flags of several users at once, to embed in a larger statement: for each row of
 * `readers` (a relation of `user_id`, `lim` and `reader`), that user's newest `lim` flags, one row
 * each with its `reader`. Read the rows with `flagsByReader`.
 */
export function newestFlagsOfEach(readers: string): string {
  return `select r.reader, f.* from ${readers} cross join lateral (
      select ${columns} from flags where user_id = r.user_id order by created_at desc, id desc limit r.lim) f
    order by r.reader, f.created_at desc, f.id desc`;
}

/** The rows of a `newestFlagsOfEach` statement as flags by reader, newest first. */
export function flagsByReader(rows: unknown[]): Map<number, StoredFlag[]> {
  const byReader = new Map<number, StoredFlag[]>();
  for (const row of rows as (FlagRow & { reader: number })[]) {
    const flags = byReader.get(row.reader);
    if (flags) flags.push(toFlag(row));
    else byReader.set(row.reader, [toFlag(row)]);
  }
  return byReader;
}

/** Records an analyst's verdict. Idempotent: the same verdict again changes nothing but the note. */
export async function resolveFlag(sql: Sql, id: string, resolution: Resolution): Promise<StoredFlag | null> {
  const result = await sql.query<FlagRow>(
    `update flags set status = $2, resolution = $3, updated_at = $4 where id = $1 returning ${columns}`,
    [id, resolution.verdict, JSON.stringify(resolution), resolution.at],
  );
  const row = result.rows[0];
  return row ? toFlag(row) : null;
}

/**
 * The least score of a flag whose account's owner said "that was not me", whatever the evidence
 * said: above the engine's critical cut (`severity.critical`, packages/detection/src/config.ts).
 */
const DISOWNED_FLAG_SCORE = 90;

/** A user said "that was not me": the flag becomes critical at once. */
export async function escalateFlag(sql: Sql, id: string, at: string): Promise<StoredFlag | null> {
  const result = await sql.query<FlagRow>(
    `update flags set severity_rank = $2, score = greatest(score, $4), updated_at = $3 where id = $1 returning ${columns}`,
    [id, severityRank("critical"), at, DISOWNED_FLAG_SCORE],
  );
  const row = result.rows[0];
  return row ? toFlag(row) : null;
}
