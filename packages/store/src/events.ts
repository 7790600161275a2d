import type { Location } from "@vigil/events";
import { iso } from "./page.ts";
import type { Sql } from "./sql.ts";

/** One accepted event as kept for session timelines; `ip` is dropped after the retention window. */
export interface EventRecord {
  id: string;
  userId: string | null;
  sessionId: string | null;
  type: string;
  occurredAt: string;
  ip: string | null;
  ipHash: string | null;
  network: string | null;
  location: Location | null;
  device: string | null;
  /** The type's own fields (setting, action, contentType, count, reason, method, mfa). */
  detail: Record<string, unknown>;
}

/**
 * Some of a batch's events were stored already (a repeated id is the same event), though the batch
 * was planned as if all were new: its transaction must not commit. Plan it again without them.
 */
export class RepeatedEvents extends Error {}

/**
 * Stores events whose ids the caller holds to be new. Checking ids before every batch costs an index
 * probe per event for what is rare (a producer's retry, a replay): the insert finds out instead. The
 * ids go to `event_ids`, where they are unique whatever partition of `events` each event lands in;
 * an event is stored only with its new id. `receivedAt` is the database's clock unless given.
 * The batch goes as one array per column: PostgreSQL reads arrays in about two thirds of the time
 * it takes to take a JSON array of records apart (`json_to_recordset`).
 */
export async function insertEvents(sql: Sql, records: EventRecord[], receivedAt?: string): Promise<void> {
  if (records.length === 0) return;
  const result = await sql.query(
    `with x as materialized (
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
         $7::text[], $8::text[], $9::json[], $10::text[], $11::json[])
         as x(id, user_id, session_id, type, occurred_at, ip, ip_hash, network, location, device, detail)
     ), arrival as (select coalesce($12::timestamptz, now()) as at),
     fresh as (
       insert into event_ids (id, received_at) select x.id, arrival.at from x, arrival
       on conflict (id) do nothing returning id
     )
     insert into events (id, user_id, session_id, type, occurred_at, ip, ip_hash, network, location, device, detail, received_at)
     select x.*, arrival.at from x join fresh using (id), arrival`,
    [...columnsOf(records), receivedAt ?? null],
  );
  const repeated = records.length - result.rowCount;
  if (repeated > 0) throw new RepeatedEvents(`${repeated} of ${records.length} events were already stored`);
}

/** The records as one array per column of `events`, in the table's order; JSON columns as text. */
function columnsOf(records: EventRecord[]): unknown[][] {
  const n = records.length;
  const columns = Array.from({ length: 11 }, () => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const r = records[i] as EventRecord;
    const row = [
      r.id,
      r.userId,
      r.sessionId,
      r.type,
      r.occurredAt,
      r.ip,
      r.ipHash,
      r.network,
      r.location === null ? null : JSON.stringify(r.location),
      r.device,
      JSON.stringify(r.detail),
    ];
    for (let c = 0; c < 11; c++) (columns[c] as unknown[])[i] = row[c];
  }
  return columns;
}

/** Which of these event ids were already accepted (a repeated id is the same event). */
export async function knownEventIds(sql: Sql, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await sql.query<{ id: string }>("select id from event_ids where id = any($1::text[])", [
    ids,
  ]);
  return new Set(result.rows.map((row) => row.id));
}

interface EventRow {
  id: string;
  user_id: string | null;
  session_id: string | null;
  type: string;
  occurred_at: unknown;
  ip: string | null;
  network: string | null;
  location: Location | null;
  device: string | null;
  detail: Record<string, unknown>;
}

/** The events of one session in event-time order, with the place and device of each. */
export async function sessionTimeline(
  sql: Sql,
  userId: string,
  sessionId: string,
  limit = 500,
): Promise<EventRecord[]> {
  const result = await sql.query<EventRow>(
    `select id, user_id, session_id, type, occurred_at, ip, network, location, device, detail from events
     where user_id = $1 and session_id = $2 order by occurred_at, id limit $3`,
    [userId, sessionId, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    sessionId: row.session_id,
    type: row.type,
    occurredAt: iso(row.occurred_at),
    ip: row.ip,
    ipHash: null,
    network: row.network,
    location: row.location,
    device: row.device,
    detail: row.detail,
  }));
}
