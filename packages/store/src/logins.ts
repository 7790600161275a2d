import type { Location } from "@vigil/events";
import { iso } from "./page.ts";
import type { Sql } from "./sql.ts";

/** A successful login as the flag page's map and novelty need it. */
export interface LoginRecord {
  sessionId: string | null;
  occurredAt: string;
  /** Null once the address is past its retention. */
  ip: string | null;
  network: string | null;
  location: Location | null;
  device: string | null;
}

interface LoginRow {
  session_id: string | null;
  occurred_at: unknown;
  ip: string | null;
  network: string | null;
  location: Location | null;
  device: string | null;
}

/** The user's latest successful logins, newest first. */
export async function recentLogins(sql: Sql, userId: string, limit: number): Promise<LoginRecord[]> {
  const result = await sql.query<LoginRow>(
    `select session_id, occurred_at, ip, network, location, device from events
     where user_id = $1 and type = 'login.succeeded' order by occurred_at desc, id desc limit $2`,
    [userId, limit],
  );
  return result.rows.map((row) => ({
    sessionId: row.session_id,
    occurredAt: iso(row.occurred_at),
    ip: row.ip,
    network: row.network,
    location: row.location,
    device: row.device,
  }));
}
