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

export async function appendAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await sql.query(
    "insert into audit_log (subject, action, target, status, request_id) values ($1, $2, $3, $4, $5)",
    [entry.subject, entry.action, entry.target, entry.status, entry.requestId],
  );
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
