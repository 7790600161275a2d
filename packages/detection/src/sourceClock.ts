import { type DetectionConfig, defaultDetectionConfig } from "./config.ts";
import { keyed } from "./keyed.ts";
import type { Observation } from "./observation.ts";
import {
  closeSource,
  dueAt,
  observeSource,
  type Source,
  type SourceState,
  type SourceVerdict,
  sourceOf,
} from "./source.ts";

// The by-source stage reads logins from every activity partition, in whatever order their batches
// were published. Its clock makes the verdicts a function of the stream alone (docs/guarantees.md):
// - each activity partition publishes its watermark (its newest event time less a grace, rounded
//   down to a bucket) to every by-source partition after the logins it covers, and never re-keys a
//   login its watermark already passed (`lateForSources`);
// - a by-source partition judges buckets up to the least watermark of all activity partitions, so
//   every login a bucket counts has arrived before it is judged;
// - a partition with nothing to read for a while says it is idle and leaves the least until it
//   publishes again (its logins older than the clock by then are late: the one case delivery decides).
// Sources that fell silent mid-attack are judged when the clock passes them (`due`). Plain JSON data,
// bounded.

/** What an activity partition last published to the by-source stage. */
export interface PartitionMark {
  /** Its watermark: event time, a multiple of the bucket. */
  at: number;
  /** It had nothing to read for a while: left out of the least watermark until it publishes again. */
  idle?: true;
}

export interface SourceClock {
  version: 2;
  /** Each activity partition's mark, by partition number. */
  marks: Record<string, PartitionMark>;
  /** Partitions of the activity topic (the most any mark named): one never heard from holds the clock. */
  partitions: number;
  /** Sources are judged up to here: the least mark of the partitions not idle. Never goes back. */
  watermark: number;
  /** Sources waiting to be judged without a login of their own, and from when (dueAt). */
  due: Record<string, number>;
}

/** A mark as an activity partition publishes it. */
export interface PartitionWatermark extends PartitionMark {
  partition: number;
  /** Partitions of the activity topic. */
  partitions: number;
}

/** Sources due at once beyond this are judged at their next login only (the latest dropped first). */
const MAX_DUE = 4096;

/**
 * Kept beside a clock, never stored: how many sources are due, and a time no due source is
 * earlier than (so most logins learn that none is due without a scan). Rebuilt from `due` for a
 * clock read back from storage.
 */
interface DueIndex {
  size: number;
  earliest: number;
}
const indexes = new WeakMap<SourceClock, DueIndex>();

function indexOf(clock: SourceClock): DueIndex {
  let index = indexes.get(clock);
  if (index === undefined) {
    index = { size: 0, earliest: Number.POSITIVE_INFINITY };
    for (const key in clock.due) {
      index.size += 1;
      const at = clock.due[key] as number;
      if (at < index.earliest) index.earliest = at;
    }
    indexes.set(clock, index);
  }
  return index;
}

export function emptyClock(): SourceClock {
  return { version: 2, marks: keyed(), partitions: 0, watermark: 0, due: keyed() };
}

/** A clock read back from storage; one of an older version starts afresh (its sources keep their state). */
export function clockOf(saved: SourceClock | null | undefined): SourceClock {
  return saved?.version === 2 ? saved : emptyClock();
}

/** An activity partition's watermark: its newest event time less the grace, down to a bucket's start. */
export function partitionWatermark(newest: number, config: DetectionConfig = defaultDetectionConfig): number {
  const { bucketMs, graceMs } = config.source;
  return Math.floor((newest - graceMs) / bucketMs) * bucketMs;
}

/**
 * The mark of an activity partition with nothing to read (`now`: wall time): its watermark, or the
 * end of the bucket holding its newest event once the wall clock is a grace past that end. When
 * every partition says so, a stream that stopped has its last buckets judged (a replay dumped and
 * read, a campaign at the very end of a test's traffic), instead of waiting for newer events; live
 * events, which arrive at most a grace late, fall in later buckets.
 */
export function idleWatermark(
  newest: number,
  now: number,
  config: DetectionConfig = defaultDetectionConfig,
): number {
  const end = bucketEnd(newest, config);
  return now >= end + config.source.graceMs ? end : partitionWatermark(newest, config);
}

/** The end of the bucket holding `at`. */
function bucketEnd(at: number, config: DetectionConfig): number {
  const { bucketMs } = config.source;
  return Math.floor(at / bucketMs) * bucketMs + bucketMs;
}

/**
 * A login its partition's watermark has passed: its bucket may be judged already, so counting it
 * would depend on delivery. Not re-keyed (and counted as late).
 */
export function lateForSources(
  at: number,
  watermark: number,
  config: DetectionConfig = defaultDetectionConfig,
): boolean {
  return bucketEnd(at, config) <= watermark;
}

/**
 * Takes an activity partition's mark and moves the clock to the least watermark of the partitions
 * not idle (the greatest mark when all are idle: nothing is on its way). Returns true if it moved.
 */
export function markPartition(clock: SourceClock, mark: PartitionWatermark): boolean {
  clock.partitions = Math.max(clock.partitions, mark.partitions);
  const key = String(mark.partition);
  const was = clock.marks[key];
  // A partition publishes its mark with every event; most repeat the last one, kept as it is.
  if (was === undefined || was.at !== mark.at || was.idle !== mark.idle) {
    clock.marks[key] = mark.idle ? { at: mark.at, idle: true } : { at: mark.at };
  }
  let least = Number.POSITIVE_INFINITY;
  let greatest = Number.NEGATIVE_INFINITY;
  for (let partition = 0; partition < clock.partitions; partition++) {
    const known = clock.marks[String(partition)];
    if (known === undefined) return false;
    if (known.at > greatest) greatest = known.at;
    if (!known.idle && known.at < least) least = known.at;
  }
  const watermark = least === Number.POSITIVE_INFINITY ? greatest : least;
  if (watermark <= clock.watermark) return false;
  clock.watermark = watermark;
  return true;
}

/** The source a key names: "AS<n>" an autonomous system, anything else a network prefix. */
export function sourceOfKey(key: string): Source {
  return { key, scope: /^AS\d+$/.test(key) ? "asn" : "network" };
}

/** The scopes a login is counted under, each with its key (a network; an AS when known). */
export function sourcesOf(obs: Observation): Source[] {
  const sources: Source[] = [];
  const network = sourceOf(obs, "network");
  if (network !== null) sources.push(network);
  const asn = sourceOf(obs, "asn");
  if (asn !== null) sources.push(asn);
  return sources;
}

/**
 * Counts a login in its source and judges the source up to the clock. `stalled`: the clock has
 * stopped moving (a partition neither publishes nor says it is idle), so a busy source no longer
 * waits for it beyond `source.maxHoldMs` of its own logins; while the clock moves (a catch-up whose
 * partitions drift hours apart) it waits, and no login is late.
 */
export function observeSourceOnClock(
  clock: SourceClock,
  state: SourceState | undefined,
  obs: Observation,
  source: Source,
  config: DetectionConfig = defaultDetectionConfig,
  stalled = true,
): { state: SourceState; verdicts: SourceVerdict[]; late: boolean } {
  const step = observeSource(state, obs, config, source, clock.watermark, stalled);
  schedule(clock, source.key, step.state, config);
  return step;
}

/** Sources the clock has passed, soonest first: judge each with `closeDue`. */
export function dueSources(clock: SourceClock): string[] {
  const index = indexOf(clock);
  if (index.earliest > clock.watermark) return [];
  let any = false;
  let earliest = Number.POSITIVE_INFINITY;
  for (const key in clock.due) {
    const at = clock.due[key] as number;
    if (at < earliest) earliest = at;
    if (at <= clock.watermark) {
      any = true;
      break;
    }
  }
  if (!any) {
    index.earliest = earliest;
    return [];
  }
  return Object.entries(clock.due)
    .filter(([, at]) => at <= clock.watermark)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key]) => key);
}

/** Judges a due source up to the clock. */
export function closeDue(
  clock: SourceClock,
  key: string,
  state: SourceState | undefined,
  config: DetectionConfig = defaultDetectionConfig,
): { state: SourceState; verdicts: SourceVerdict[] } {
  const step = closeSource(state, clock.watermark, sourceOfKey(key), config);
  schedule(clock, key, step.state, config);
  return step;
}

function schedule(clock: SourceClock, key: string, state: SourceState, config: DetectionConfig): void {
  const at = dueAt(state, config);
  const index = indexOf(clock);
  const was = clock.due[key];
  if (at === null) {
    if (was !== undefined) {
      delete clock.due[key];
      index.size -= 1;
    }
    return;
  }
  if (was === at) return;
  clock.due[key] = at;
  if (at < index.earliest) index.earliest = at;
  if (was !== undefined) return;
  index.size += 1;
  if (index.size > MAX_DUE) {
    const keys = Object.keys(clock.due);
    keys.sort((a, b) => (clock.due[a] as number) - (clock.due[b] as number) || (a < b ? -1 : 1));
    for (const late of keys.slice(MAX_DUE)) delete clock.due[late];
    index.size = MAX_DUE;
  }
}
