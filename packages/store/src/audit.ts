import { cleanText, isStorableText } from "@vigil/events";
import { flagsByReader, newestFlagsOfEach, type StoredFlag } from "./flags.ts";
import { iso, type Page, toPage } from "./page.ts";
import type { Sql } from "./sql.ts";

/** One trust-and-safety call: who did what to which target, and how it ended. */
export interface AuditEntry {
  subject: string;
  action: string;
  target: string | null;
  status: number;
  /** Vigil's own id of the request. */
  requestId: string | null;
  /** The id the caller sent (X-Request-Id), if any: correlation only, never trusted. */
  callerRequestId?: string | null;
}

/** Longest subject, target or request id kept; longer ones are cut. */
export const AUDIT_TEXT_LIMIT = 256;

/** An entry waiting to be written, with the flags of a user to read in the same statement, if any. */
interface Waiting {
  entry: AuditEntry;
  flagsOf?: { userId: string; limit: number };
  resolve(flags: StoredFlag[]): void;
  reject(error: unknown): void;
}

/** Entries waiting for the insert in flight on a database to finish, to go together in the next one. */
interface Queue {
  writing: boolean;
  waiting: Waiting[];
}
const queues = new WeakMap<Sql, Queue>();

/**
 * Appends an entry; resolves once it is committed, rejects if it could not be. Concurrent calls
 * share inserts (group commit): while one insert is in flight, the entries that arrive wait and go
 * together in the next, in arrival order. Under load that is one commit, one WAL flush, for many
 * requests, instead of one each.
 */
export async function appendAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await enqueue(sql, { entry });
}

/**
 * Appends an entry and reads the newest flags of `userId` in the same statement, so the flags are
 * known only together with the committed record of who read them. Shares the statement with
 * concurrent appends and reads like `appendAudit`: one round trip and one commit for all of them.
 */
export async function appendAuditReadingFlags(
  sql: Sql,
  entry: AuditEntry,
  read: { userId: string; limit: number },
): Promise<Page<StoredFlag>> {
  // One more than the page to know whether there is a next one, as listFlags does.
  const flags = await enqueue(sql, { entry, flagsOf: { userId: read.userId, limit: read.limit + 1 } });
  return toPage(flags, read.limit);
}

function enqueue(sql: Sql, item: Omit<Waiting, "resolve" | "reject">): Promise<StoredFlag[]> {
  let queue = queues.get(sql);
  if (!queue) {
    queue = { writing: false, waiting: [] };
    queues.set(sql, queue);
  }
  const done = new Promise<StoredFlag[]>((resolve, reject) =>
    queue.waiting.push({ ...item, resolve, reject }),
  );
  if (!queue.writing) void writeQueued(sql, queue);
  return done;
}

async function writeQueued(sql: Sql, queue: Queue): Promise<void> {
  queue.writing = true;
  while (queue.waiting.length > 0) {
    const group = queue.waiting.splice(0, 500);
    try {
      const flags = await write(sql, group);
      for (const [reader, { resolve }] of group.entries()) resolve(flags.get(reader) ?? []);
    } catch (error) {
      if (group.length === 1) (group[0] as Waiting).reject(error);
      // One entry must not fail the calls it happened to share a statement with: each alone, in the
      // order they came (at once on a pool, they would enter the log in any order).
      else for (const one of group) await writeAlone(sql, one);
    }
  }
  queue.writing = false;
}

async function writeAlone(sql: Sql, one: Waiting): Promise<void> {
  try {
    one.resolve((await write(sql, [one])).get(0) ?? []);
  } catch (error) {
    one.reject(error);
  }
}

/** Text as the audit log keeps it: storable (see cleanText) and bounded. */
const kept = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : cleanText(text, AUDIT_TEXT_LIMIT);

/** One statement: the group's entries inserted, and the flags its readers asked for, by position in the group. */
async function write(sql: Sql, group: Waiting[]): Promise<Map<number, StoredFlag[]>> {
  const insert = `insert into audit_log (subject, action, target, status, request_id, caller_request_id)
    select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])`;
  const params: unknown[] = [
    group.map(({ entry }) => kept(entry.subject)),
    group.map(({ entry }) => kept(entry.action)),
    group.map(({ entry }) => kept(entry.target)),
    group.map(({ entry }) => entry.status),
    group.map(({ entry }) => kept(entry.requestId)),
    group.map(({ entry }) => kept(entry.callerRequestId)),
  ];
  // No stored user id holds unstorable text (nor could a parameter carry it): such a reader reads nothing.
  const readers = group.flatMap(({ flagsOf }, reader) =>
    flagsOf && isStorableText(flagsOf.userId) ? [{ ...flagsOf, reader }] : [],
  );
  if (readers.length === 0) {
    await sql.query(insert, params);
    return new Map();
  }
  params.push(
    readers.map((r) => r.userId),
    readers.map((r) => r.limit),
    readers.map((r) => r.reader),
  );
  // A data-modifying WITH runs whether or not the query reads it; statement and entries commit together.
  const result = await sql.query(
    `with entries as (${insert})
     ${newestFlagsOfEach("unnest($7::text[], $8::int[], $9::int[]) as r(user_id, lim, reader)")}`,
    params,
  );
  return flagsByReader(result.rows);
}

export async function listAudit(
  sql: Sql,
  filter: { subject?: string; limit: number },
): Promise<(AuditEntry & { at: string; callerRequestId: string | null })[]> {
  const result = await sql.query<{
    at: unknown;
    subject: string;
    action: string;
    target: string | null;
    status: number;
    request_id: string | null;
    caller_request_id: string | null;
  }>(
    `select at, subject, action, target, status, request_id, caller_request_id from audit_log
     where ($1::text is null or subject = $1) order by seq desc limit $2`,
    [filter.subject ?? null, filter.limit],
  );
  return result.rows.map((row) => ({
    at: iso(row.at),
    subject: row.subject,
    action: row.action,
    target: row.target,
    status: row.status,
    requestId: row.request_id,
    callerRequestId: row.caller_request_id,
  }));
}
