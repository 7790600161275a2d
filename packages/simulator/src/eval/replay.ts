import {
  applySourceVerdict,
  closeDue,
  type DetectionConfig,
  defaultDetectionConfig,
  dueSources,
  emptyClock,
  emptyPopulation,
  type FlagUpdate,
  lateForSources,
  markPartition,
  type Observation,
  observe,
  observeSourceOnClock,
  observeUser,
  partitionWatermark,
  type SourceState,
  type SourceVerdict,
  sourcesOf,
  type UserState,
} from "@vigil/detection";
import { type IpFacts, ipFacts } from "@vigil/geo";
import type { LabelledEvent } from "../types.ts";

/** Events with their address facts, the way the service sees them after enrichment. */
export function enrich(labelled: readonly LabelledEvent[]): Observation[] {
  const facts = new Map<string, IpFacts | null>();
  return labelled.map(({ event }) => {
    let known: IpFacts | null = null;
    if (event.ip !== undefined) {
      const cached = facts.get(event.ip);
      known = cached === undefined ? ipFacts(event.ip) : cached;
      if (cached === undefined) facts.set(event.ip, known);
    }
    return observe(event, known);
  });
}

export interface Replay {
  updates: FlagUpdate[];
  users: Map<string, UserState>;
  /** Every source's state at the end, by source key. */
  sources: Map<string, SourceState>;
  /** Wall time of the engine alone (enrichment excluded), ms. */
  engineMs: number;
  /** CPU time of the process meanwhile, ms: steadier than wall time on a busy machine. */
  engineCpuMs: number;
}

/**
 * Runs observations through the real engine exactly as the service does: observeUser for every
 * event with a userId, observeSource for every login.* event by network. The service sends source
 * verdicts through the `account-activity.by-source` topic and back to the user's partition; here
 * they are applied to the account at once, at the same event time, which is that round trip
 * without its latency (the engine handles a verdict arriving after the success it concerns).
 */
export function replay(
  observations: readonly Observation[],
  config: DetectionConfig = defaultDetectionConfig,
): Replay {
  const users = new Map<string, UserState>();
  const sources = new Map<string, SourceState>();
  const clock = emptyClock();
  let newest = 0;
  const population = emptyPopulation();
  const updates: FlagUpdate[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const obs of observations) {
    const userId = obs.event.userId;
    if (userId !== undefined) {
      const step = observeUser(users.get(userId), population, obs, config);
      users.set(userId, step.state);
      for (const flag of step.flags) updates.push(flag);
    }
    // The stream is one activity partition: it re-keys the logins its watermark has not passed and
    // moves the by-source clock, whose watermark judges every source, as the service's stages do.
    const judged: SourceVerdict[] = [];
    const login = obs.event.type === "login.succeeded" || obs.event.type === "login.failed";
    if (login && !lateForSources(obs.at, clock.watermark, config)) {
      // Each login counts under its network and its autonomous system.
      for (const source of sourcesOf(obs)) {
        const step = observeSourceOnClock(clock, sources.get(source.key), obs, source, config);
        sources.set(source.key, step.state);
        judged.push(...step.verdicts);
      }
    }
    if (obs.at > newest) {
      newest = obs.at;
      markPartition(clock, { partition: 0, partitions: 1, at: partitionWatermark(newest, config) });
    }
    for (const key of dueSources(clock)) {
      const step = closeDue(clock, key, sources.get(key), config);
      sources.set(key, step.state);
      judged.push(...step.verdicts);
    }
    for (const verdict of judged) {
      const step = applySourceVerdict(users.get(verdict.userId), verdict, config);
      users.set(verdict.userId, step.state);
      for (const flag of step.flags) updates.push(flag);
    }
  }
  const used = process.cpuUsage(cpu);
  return {
    updates,
    users,
    sources,
    engineMs: performance.now() - started,
    engineCpuMs: (used.user + used.system) / 1000,
  };
}
