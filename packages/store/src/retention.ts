import type { Sql } from "./sql.ts";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Partitions of `events` are weeks of arrival starting on Monday 00:00 UTC (1970-01-05 was one). */
const FIRST_MONDAY = Date.UTC(1970, 0, 5);

/** The start of the week (Monday 00:00 UTC) that holds `at`, in epoch ms. */
export function weekOf(at: number): number {
  return FIRST_MONDAY + Math.floor((at - FIRST_MONDAY) / WEEK) * WEEK;
}

export interface EventPartition {
  name: string;
  /** Epoch ms; null for a partition from the beginning of time (or the default partition). */
  from: number | null;
  /** Epoch ms, exclusive; null for the default partition. */
  to: number | null;
}

/** The partitions of `events` with their ranges of arrival time, as the catalog holds them. */
export async function eventPartitions(sql: Sql): Promise<EventPartition[]> {
  const result = await sql.query<{ name: string; from_at: unknown; to_at: unknown }>(
    `select c.relname as name,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \\('([^']+)'\\)$re$))[1]::timestamptz as from_at,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$TO \\('([^']+)'\\)$re$))[1]::timestamptz as to_at
     from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'events'::regclass order by name`,
  );
  const ms = (value: unknown) => (value === null ? null : new Date(value as string | Date).getTime());
  return result.rows.map((row) => ({ name: row.name, from: ms(row.from_at), to: ms(row.to_at) }));
}

/**
 * Maintenance that replicas must not run at the same time, and that may take longer than the
 * statement timeout of the pools serving batches and the API; it gives up waiting for a lock on
 * `events` after a few seconds rather than hold up every batch queued behind it (the next run retries).
 */
function maintenance<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  return sql.transaction(
    async (tx) => {
      if (tx.kind === "postgres") await tx.query("select pg_advisory_xact_lock(7342)");
      await tx.query("set local lock_timeout = '5s'");
      return work(tx);
    },
    { unbounded: true },
  );
}

const iso = (at: number) => new Date(at).toISOString();
const partitionName = (week: number) => `events_w${iso(week).slice(0, 10).replaceAll("-", "")}`;

/**
 * Creates the weekly partitions of `events` from the week of `now` to `weeksAhead` weeks later,
 * where none covers them yet. Rows that went to the default partition meanwhile move into theirs.
 * Returns the names of the partitions created.
 */
export async function ensureEventPartitions(sql: Sql, now: string, weeksAhead = 2): Promise<string[]> {
  const created: string[] = [];
  const first = weekOf(Date.parse(now));
  for (let week = first; week <= first + weeksAhead * WEEK; week += WEEK) {
    const made = await maintenance(sql, async (tx) => {
      const covered = (await eventPartitions(tx)).some(
        (p) => p.to !== null && p.to > week && (p.from === null || p.from <= week),
      );
      if (covered) return false;
      const name = partitionName(week);
      const [from, to] = [iso(week), iso(week + WEEK)];
      // Created alone and then attached: attaching locks `events` far less than `partition of` would.
      await tx.query(`create table ${name} (like events including defaults)`);
      await tx.query(
        `with moved as (delete from events_default where received_at >= $1 and received_at < $2 returning *)
         insert into ${name} select * from moved`,
        [from, to],
      );
      await tx.query(`alter table events attach partition ${name} for values from ('${from}') to ('${to}')`);
      return true;
    });
    if (made) created.push(partitionName(week));
  }
  return created;
}

/**
 * Forgets events that arrived more than `days` ago: whole weekly partitions are dropped, so an
 * event is kept at least `days` and less than `days` + 7. Rows before that boundary in partitions
 * that reach past it (the default one, the table from before partitioning) are deleted, and the ids
 * of all of them go with them: a repeated id is recognised as long as its event is kept.
 */
export async function dropExpiredEvents(
  sql: Sql,
  days: number,
  now: string,
): Promise<{ partitions: string[]; events: number; ids: number }> {
  const boundary = weekOf(Date.parse(now) - days * DAY);
  const partitions = await eventPartitions(sql);
  const dropped: string[] = [];
  let events = 0;
  for (const partition of partitions) {
    if (partition.to !== null && partition.to <= boundary) {
      await maintenance(sql, (tx) => tx.query(`drop table if exists ${partition.name}`));
      dropped.push(partition.name);
    } else if (partition.from === null || partition.from < boundary) {
      const result = await maintenance(sql, (tx) =>
        tx.query(`delete from ${partition.name} where received_at < $1`, [iso(boundary)]),
      );
      events += result.rowCount;
    }
  }
  // After the events: an id outliving its event for a moment is harmless, the reverse is not.
  const ids = await maintenance(sql, (tx) =>
    tx.query("delete from event_ids where received_at < $1", [iso(boundary)]),
  );
  return { partitions: dropped, events, ids: ids.rowCount };
}

/**
 * Forgets raw IP addresses received more than `days` ago; the keyed hash and the network prefix stay,
 * which is all detection needs. Returns how many events were scrubbed.
 */
export async function scrubRawIps(sql: Sql, days: number, now: string): Promise<number> {
  const result = await maintenance(sql, (tx) =>
    tx.query(
      "update events set ip = null where ip is not null and received_at < $1::timestamptz - make_interval(days => $2)",
      [now, days],
    ),
  );
  return result.rowCount;
}

/**
 * Forgets flags resolved (by an analyst or a user's answer) and not changed for more than `days`,
 * with their notices and the users' answers. Open flags stay until someone resolves them.
 */
export async function dropResolvedFlags(
  sql: Sql,
  days: number,
  now: string,
): Promise<{ flags: number; notices: number }> {
  return maintenance(sql, async (tx) => {
    const flags = await tx.query<{ id: string }>(
      `delete from flags where status <> 'open' and updated_at < $1::timestamptz - make_interval(days => $2)
       returning id`,
      [now, days],
    );
    const notices = await tx.query("delete from notices where flag_id = any($1::text[])", [
      flags.rows.map((row) => row.id),
    ]);
    return { flags: flags.rowCount, notices: notices.rowCount };
  });
}

/**
 * Forgets the state of source networks no login has come from for longer than `idleMs`, counted
 * from the newest update of any source: a consumer that was stopped or lags keeps the states its
 * replay still needs. Returns how many were deleted.
 */
export async function dropIdleSourceStates(sql: Sql, idleMs: number): Promise<number> {
  const result = await maintenance(sql, (tx) =>
    tx.query(
      `delete from source_states
       where updated_at < (select max(updated_at) from source_states) - make_interval(secs => $1::double precision / 1000)`,
      [idleMs],
    ),
  );
  return result.rowCount;
}
