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

// A source is judged when its own logins carry its watermark past a bucket. One that falls silent
// in the middle of an attack would never be: the clock of all the sources one consumer reads (the
// newest event time among them) judges those that are due. Plain JSON data, bounded.

export interface SourceClock {
  /** Newest event time among the logins of every source read. */
  streamTime: number;
  /** Sources waiting to be judged without a login of their own, and from when (dueAt). */
  due: Record<string, number>;
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
  return { streamTime: 0, due: keyed() };
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

/** Moves the clock to a login's time and counts the login in its source. */
export function observeSourceOnClock(
  clock: SourceClock,
  state: SourceState | undefined,
  obs: Observation,
  source: Source,
  config: DetectionConfig = defaultDetectionConfig,
): { state: SourceState; verdicts: SourceVerdict[]; late: boolean } {
  if (obs.at > clock.streamTime) clock.streamTime = obs.at;
  const step = observeSource(state, obs, config, source);
  schedule(clock, source.key, step.state, config);
  return step;
}

/** Sources the clock has passed, soonest first: judge each with `closeDue`. */
export function dueSources(clock: SourceClock): string[] {
  const index = indexOf(clock);
  if (index.earliest > clock.streamTime) return [];
  let any = false;
  let earliest = Number.POSITIVE_INFINITY;
  for (const key in clock.due) {
    const at = clock.due[key] as number;
    if (at < earliest) earliest = at;
    if (at <= clock.streamTime) {
      any = true;
      break;
    }
  }
  if (!any) {
    index.earliest = earliest;
    return [];
  }
  return Object.entries(clock.due)
    .filter(([, at]) => at <= clock.streamTime)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key]) => key);
}

/** Judges a due source up to the clock's watermark. */
export function closeDue(
  clock: SourceClock,
  key: string,
  state: SourceState | undefined,
  config: DetectionConfig = defaultDetectionConfig,
): { state: SourceState; verdicts: SourceVerdict[] } {
  const step = closeSource(state, clock.streamTime - config.source.graceMs, sourceOfKey(key), config);
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
