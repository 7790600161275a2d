import type { Notice } from "@vigil/events";
import { afterCursor, iso, type Page, type PageRequest, toPage } from "./page.ts";
import type { Sql } from "./sql.ts";

export interface NoticeLimit {
  /** At most this many notices per user within `windowHours`, so an attack does not flood its victim. */
  maxPerUser: number;
  windowHours: number;
}

interface NoticeRow {
  content: Notice;
  response: Notice["response"];
  created_at: unknown;
}

const toNotice = (row: NoticeRow): Notice => ({
  ...row.content,
  response: row.response,
  createdAt: iso(row.created_at),
});

/**
 * Inserts the notices that are due: one per flag ever, and no more than the user's limit. Returns the
 * ones inserted, which are the ones to publish.
 */
export async function insertNotices(sql: Sql, notices: Notice[], limit: NoticeLimit): Promise<Notice[]> {
  const inserted: Notice[] = [];
  for (const notice of notices) {
    const result = await sql.query(
      `insert into notices (id, user_id, flag_id, content, created_at)
       select $1, $2, $3, $4, $5
       where (select count(*) from notices where user_id = $2
              and created_at > $5::timestamptz - make_interval(hours => $7)) < $6
       on conflict do nothing`,
      [
        notice.id,
        notice.userId,
        notice.flagId,
        JSON.stringify(notice),
        notice.createdAt,
        limit.maxPerUser,
        limit.windowHours,
      ],
    );
    if (result.rowCount === 1) inserted.push(notice);
  }
  return inserted;
}

export async function listNotices(sql: Sql, userId: string, page: PageRequest): Promise<Page<Notice>> {
  const params: unknown[] = [userId];
  const where = ["user_id = $1"];
  if (page.cursor !== undefined) where.push(afterCursor(page.cursor, params));
  params.push(page.limit + 1);
  const result = await sql.query<NoticeRow>(
    `select content, response, created_at from notices where ${where.join(" and ")}
     order by created_at desc, id desc limit $${params.length}`,
    params,
  );
  return toPage(result.rows.map(toNotice), page.limit);
}

/** The user's own notice; another user's id reads as absent. */
export async function getNotice(sql: Sql, userId: string, id: string): Promise<Notice | null> {
  const result = await sql.query<NoticeRow>(
    "select content, response, created_at from notices where id = $1 and user_id = $2",
    [id, userId],
  );
  const row = result.rows[0];
  return row ? toNotice(row) : null;
}

/** Records the user's answer; the first answer stands (idempotent), later ones return it unchanged. */
export async function respondToNotice(
  sql: Sql,
  userId: string,
  id: string,
  response: { wasMe: boolean; respondedAt: string },
): Promise<{ notice: Notice; changed: boolean } | null> {
  const updated = await sql.query<NoticeRow>(
    `update notices set response = $3 where id = $1 and user_id = $2 and response is null
     returning content, response, created_at`,
    [id, userId, JSON.stringify(response)],
  );
  const row = updated.rows[0];
  if (row) return { notice: toNotice(row), changed: true };
  const existing = await getNotice(sql, userId, id);
  return existing ? { notice: existing, changed: false } : null;
}
