import type { Sql } from "./sql.ts";

/**
 * Forgets raw IP addresses received more than `days` ago; the keyed hash and the network prefix stay,
 * which is all detection needs. Returns how many events were scrubbed.
 */
export async function scrubRawIps(sql: Sql, days: number, now: string): Promise<number> {
  const result = await sql.query(
    "update events set ip = null where ip is not null and received_at < $1::timestamptz - make_interval(days => $2)",
    [now, days],
  );
  return result.rowCount;
}
