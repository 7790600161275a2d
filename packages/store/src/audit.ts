import { iso } from "./page.ts";
import type { Sql } from "./sql.ts";

/** One trust-and-safety call: who did what to which target, and how it ended. */
export interface AuditEntry {
  subject: string;
  action: string;
  target: string | null;
  status: number;
  requestId: string | null;
}

/** Entries waiting for the insert in flight on a database to finish, to go together in the next one. */
interface Queue {
  writing: boolean;
  waiting: { entry: AuditEntry; resolve(): void; reject(error: unknown): void }[];
}
const queues = new WeakMap<Sql, Queue>();

/**
 * Appends an entry; resolves once it is committed, rejects if it could not be. Concurrent calls
 * share inserts (group commit): while one insert is in flight, the entries that arrive wait and go
 * together in the next, in arrival order. Under load that is one commit, one WAL flush, for many
 * requests, instead of one each.
 */
export function appendAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  let queue = queues.get(sql);
  if (!queue) {
    queue = { writing: false, waiting: [] };
    queues.set(sql, queue);
  }
  const done = new Promise<void>((resolve, reject) => queue.waiting.push({ entry, resolve, reject }));
  if (!queue.writing) void writeQueued(sql, queue);
  return done;
}

async function writeQueued(sql: Sql, queue: Queue): Promise<void> {
  queue.writing = true;
  while (queue.waiting.length > 0) {
    const group = queue.waiting.splice(0, 500);
    try {
      await sql.query(
        `insert into audit_log (subject, action, target, status, request_id)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])`,
        [
          group.map(({ entry }) => entry.subject),
          group.map(({ entry }) => entry.action),
          group.map(({ entry }) => entry.target),
          group.map(({ entry }) => entry.status),
          group.map(({ entry }) => entry.requestId),
        ],
      );
      for (const { resolve } of group) resolve();
    } catch (error) {
      for (const { reject } of group) reject(error);
    }
  }
  queue.writing = false;
}

export async function listAudit(
  sql: Sql,
  filter: { subject?: string; limit: number },
): Promise<(AuditEntry & { at: string })[]> {
  const result = await sql.query<{
    at: unknown;
    subject: string;
    action: string;
    target: string | null;
    status: number;
    request_id: string | null;
  }>(
    `select at, subject, action, target, status, request_id from audit_log
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
  }));
}
