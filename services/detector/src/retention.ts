import {
  dropExpiredEvents,
  dropIdleSourceStates,
  dropResolvedFlags,
  ensureEventPartitions,
  type Sql,
  scrubRawIps,
} from "@vigil/store";
import type { Logger } from "./log.ts";

/** How long each kind of stored data is kept (README: "What Vigil stores, for how long, and why"). */
export interface RetentionPolicy {
  /** Raw IP addresses of events. */
  ipDays: number;
  /** Events (whole weekly partitions). */
  eventDays: number;
  /** Resolved flags, with their notices. */
  resolvedDays: number;
  /** Source states no login has updated for this long (the longest per-source window). */
  sourceIdleMs: number;
}

/**
 * Creates the coming weeks' partitions of `events` (before returning, so that the consumer's first
 * batches have theirs), then forgets what is past its retention, now and every `intervalMinutes`.
 * Each task runs on its own: one failing is logged and retried at the next run, the others go on.
 */
export async function startRetention(options: {
  sql: Sql;
  log: Logger;
  policy: RetentionPolicy;
  intervalMinutes: number;
}) {
  const { sql, log, policy } = options;
  const task = async (name: string, work: (now: string) => Promise<unknown>) => {
    try {
      const done = await work(new Date().toISOString());
      if (done !== undefined) log.info({ task: name, ...(done as object) }, "retention");
    } catch (error) {
      log.warn({ task: name, err: (error as Error).message }, "retention task failed; will retry");
    }
  };
  const some = (counts: Record<string, number | string[]>) =>
    Object.values(counts).some((count) => (Array.isArray(count) ? count.length > 0 : count > 0))
      ? counts
      : undefined;
  const partitions = (now: string) =>
    ensureEventPartitions(sql, now).then((created) => some({ partitionsCreated: created }));
  const run = async () => {
    await task("event partitions", partitions);
    await task("raw IPs", async (now) => some({ scrubbed: await scrubRawIps(sql, policy.ipDays, now) }));
    await task("events", async (now) => some(await dropExpiredEvents(sql, policy.eventDays, now)));
    await task("resolved flags", async (now) => some(await dropResolvedFlags(sql, policy.resolvedDays, now)));
    await task("source states", async () =>
      some({ idle: await dropIdleSourceStates(sql, policy.sourceIdleMs) }),
    );
  };
  await task("event partitions", partitions);
  const first = run();
  const timer = setInterval(run, options.intervalMinutes * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await first;
    },
  };
}
