import type { DetectionConfig } from "./config.ts";
import { defaultDetectionConfig } from "./config.ts";
import { keyed } from "./keyed.ts";
import type { Observation } from "./observation.ts";

// One source's logins across all accounts: password spray (one source failing on many accounts)
// and credential stuffing (the same with a share of accounts that do not exist here, the mark of a
// list leaked elsewhere). A source is a network (/24, /48) or, for attackers rotating addresses
// inside one provider, an autonomous system.
//
// Same logins, same verdicts, however they were delivered. Logins reach a source from every
// partition in whatever order batches commit, and again after a crash. So:
// - time is cut into buckets of event time, and a bucket holds, per account tried, facts that
//   are OR-ed (succeeded, failed, failed as unknown): counting a login twice changes nothing, and
//   the order of logins inside a bucket does not matter;
// - a bucket is judged once, when the watermark passes its end: with the window of buckets ending
//   there. In the service the watermark is the least of every activity partition's (sourceClock.ts),
//   and a partition drops the logins its own watermark has passed before re-keying them, so every
//   login a bucket counts has arrived before the bucket is judged. Judgements run in bucket order,
//   so verdicts depend on the buckets' contents only;
// - a login whose bucket was already judged is late: not counted, and said so (`late`), so that a
//   login delivered again leaves the state as it was;
// - a busy bucket keeps the accounts with the smallest hashes (a bottom-k sample, the same
//   whatever the order), from which it estimates how many accounts were tried.

const SUCCEEDED = 1;
const FAILED = 2;
const UNKNOWN = 4;

/** Accounts tried from the source in one bucket of event time: key → facts (bits). */
interface Bucket {
  start: number;
  accounts: Record<string, number>;
  size: number;
  /** Accounts kept that never got in. */
  failing?: number;
  /** Set once the bucket was cut to its sample: accounts hashing above it are not kept. */
  cut: number | null;
  /**
   * Accounts that got in, sampled apart: a flood of made-up account names can crowd them out of
   * `accounts`, not out of here (a success needs the password).
   */
  won?: Record<string, 1>;
  wonSize?: number;
  wonCut?: number | null;
}

/** One source's recent logins and attack episode: plain JSON data, bounded. */
export interface SourceState {
  version: 2;
  /** Ascending; the open ones and the judged ones a later window still needs. */
  buckets: Bucket[];
  /** Newest event time seen. */
  newest: number;
  /** End of the last judged bucket: buckets ending at or before it are closed. */
  judged: number;
  /** Set while the source attacks; accounts are told once per episode (and again on every success). */
  hot: { code: SourceVerdict["code"]; since: number; until: number } | null;
  notified: Record<string, 1>;
  notifiedCount: number;
  /** Accounts per window while quiet (a decayed mean): what this source usually sends. */
  usual: number;
  /** The autonomous system's organisation, for an ASN source. */
  org?: string;
}

export type SourceScope = "network" | "asn";

/** Which source a login is counted under: its network, or its autonomous system. */
export interface Source {
  key: string;
  scope: SourceScope;
}

/** A source's finding about one account it targets, sent back to that account's stream. */
export interface SourceVerdict {
  userId: string;
  code: "password_spray" | "credential_stuffing";
  /** The source: a network prefix, or "AS<number>". */
  network: string;
  at: number;
  details: Record<string, unknown>;
}

export function emptySource(): SourceState {
  return {
    version: 2,
    buckets: [],
    newest: 0,
    judged: 0,
    hot: null,
    notified: keyed(),
    notifiedCount: 0,
    usual: 0,
  };
}

/** "AS3320": the source key of an autonomous system. */
export function asnSourceKey(number: number): string {
  let key = asnKeys.get(number);
  if (key === undefined) {
    if (asnKeys.size >= MAX_ASN_KEYS) asnKeys.clear();
    key = `AS${number}`;
    asnKeys.set(number, key);
  }
  return key;
}

// Built once per autonomous system, so that its source's key is hashed once (bounded all the same).
const asnKeys = new Map<number, string>();
const MAX_ASN_KEYS = 8192;

/** The source a login counts under in `scope`; null when its address says nothing of it. */
export function sourceOf(obs: Observation, scope: SourceScope): Source | null {
  if (scope === "network") return obs.network === null ? null : { key: obs.network, scope };
  return obs.asn === null ? null : { key: asnSourceKey(obs.asn.number), scope };
}

/**
 * Fed with every login.* event re-keyed by source (docs/architecture.md): counts it in its bucket and
 * judges the buckets `watermark` (event time) has passed. The service's watermark is its clock's, the
 * least of every activity partition's (sourceClock.ts); a source read alone, in order, is its own
 * clock: its newest login less the grace. A state written by an older version, or none, is an empty
 * one. Mutates and returns `state`.
 */
export function observeSource(
  state: SourceState | undefined,
  obs: Observation,
  config: DetectionConfig = defaultDetectionConfig,
  source: Source | null = sourceOf(obs, "network"),
  watermark?: number,
  hold = true,
): { state: SourceState; verdicts: SourceVerdict[]; late: boolean } {
  const s = current(state);
  const event = obs.event;
  if (source === null || (event.type !== "login.succeeded" && event.type !== "login.failed")) {
    return { state: s, verdicts: [], late: false };
  }
  const settings = config.source;
  const start = Math.floor(obs.at / settings.bucketMs) * settings.bucketMs;
  const late = start + settings.bucketMs <= s.judged;
  if (!late) {
    const unknown = event.type === "login.failed" && event.reason === "unknown_account";
    const facts = event.type === "login.succeeded" ? SUCCEEDED : unknown ? FAILED | UNKNOWN : FAILED;
    count(bucketAt(s, start), accountKey(event), facts, settings.sample);
  }
  if (obs.at > s.newest) s.newest = obs.at;
  if (source.scope === "asn" && obs.asn !== null) s.org = obs.asn.org;
  const clock = watermark ?? s.newest - settings.graceMs;
  const until = hold ? Math.max(clock, s.newest - settings.maxHoldMs) : clock;
  return { state: s, verdicts: judge(s, until, source, config), late };
}

// A login counts under two sources, one after the other: its key is built once.
let keyedEvent: Observation["event"] | null = null;
let keyedAccount = "";

/** The account a login tried, as a bucket's key. */
function accountKey(event: Observation["event"]): string {
  if (event === keyedEvent) return keyedAccount;
  // Prefixed: keys come from events, and a plain object answers to "constructor" by itself.
  keyedAccount =
    event.userId !== undefined
      ? `#${event.userId}`
      : `?${(event.type === "login.failed" && event.accountHint) || event.id}`;
  keyedEvent = event;
  return keyedAccount;
}

/**
 * Judges the buckets that end at or before `watermark` (event time) without a new login: the
 * caller's clock for a source that fell silent (see `dueAt`). Mutates and returns `state`.
 */
export function closeSource(
  state: SourceState | undefined,
  watermark: number,
  source: Source,
  config: DetectionConfig = defaultDetectionConfig,
): { state: SourceState; verdicts: SourceVerdict[] } {
  const s = current(state);
  return { state: s, verdicts: judge(s, watermark, source, config) };
}

/**
 * When (the watermark, in event time) the source's open buckets must be judged even if it sees no
 * further login: while it attacks, or once its open buckets hold enough failing accounts that a
 * window might. Null when nothing could come of judging them yet: they are judged, in order, with
 * its next login, which gives the same verdicts later.
 */
export function dueAt(state: SourceState, config: DetectionConfig = defaultDetectionConfig): number | null {
  const settings = config.source;
  // The first bucket not judged yet: the watermark passing its end judges it (and any after it).
  const open = firstOpen(state, settings.bucketMs);
  if (open === undefined) return null;
  const due = open.start + settings.bucketMs;
  if (state.hot !== null) return due;
  const least = Math.min(settings.spray.accounts, settings.stuffing.accounts) * settings.coolDownShare;
  let failing = 0;
  for (const bucket of state.buckets) {
    if (bucket.start + settings.bucketMs > state.judged) failing += failingOf(bucket);
  }
  return failing >= least ? due : null;
}

/** The first bucket not judged yet (a loop, not `find`: this runs for every login of every source). */
function firstOpen(state: SourceState, bucketMs: number): Bucket | undefined {
  for (const bucket of state.buckets) if (bucket.start + bucketMs > state.judged) return bucket;
  return undefined;
}

function current(state: SourceState | undefined): SourceState {
  return state !== undefined && state.version === 2 ? state : emptySource();
}

function bucketAt(s: SourceState, start: number): Bucket {
  const buckets = s.buckets;
  let index = buckets.length;
  while (index > 0 && (buckets[index - 1] as Bucket).start > start) index -= 1;
  const found = buckets[index - 1];
  if (found !== undefined && found.start === start) return found;
  const bucket: Bucket = { start, accounts: keyed(), size: 0, failing: 0, cut: null };
  buckets.splice(index, 0, bucket);
  return bucket;
}

function count(bucket: Bucket, account: string, facts: number, sample: number): void {
  const known = bucket.accounts[account];
  if (known !== undefined) {
    bucket.accounts[account] = known | facts;
    if ((known & SUCCEEDED) === 0 && (facts & SUCCEEDED) !== 0) bucket.failing = failingOf(bucket) - 1;
  }
  if ((facts & SUCCEEDED) !== 0 && account.startsWith("#")) win(bucket, account, sample);
  if (known !== undefined || (bucket.cut !== null && hash(account) > bucket.cut)) return;
  bucket.accounts[account] = facts;
  bucket.size += 1;
  if ((facts & SUCCEEDED) === 0) bucket.failing = failingOf(bucket) + 1;
  if (bucket.size > 2 * sample) cut(bucket, sample);
}

/** Accounts of the bucket that never got in (counted afresh for a bucket written without the count). */
function failingOf(bucket: Bucket): number {
  if (bucket.failing !== undefined) return bucket.failing;
  let failing = 0;
  for (const key in bucket.accounts) if (((bucket.accounts[key] as number) & SUCCEEDED) === 0) failing += 1;
  bucket.failing = failing;
  return failing;
}

function win(bucket: Bucket, account: string, sample: number): void {
  bucket.won ??= keyed();
  const won = bucket.won;
  if (won[account] !== undefined) return;
  if (bucket.wonCut != null && hash(account) > bucket.wonCut) return;
  won[account] = 1;
  bucket.wonSize = (bucket.wonSize ?? 0) + 1;
  if (bucket.wonSize > 2 * sample) cutWon(bucket, sample);
}

/** The `sample` winners with the smallest hashes. */
function cutWon(bucket: Bucket, sample: number): void {
  if ((bucket.wonSize ?? 0) <= sample) return;
  const ranked = smallest(Object.keys(bucket.won ?? {}), sample);
  bucket.won = keyed();
  for (const [, key] of ranked) bucket.won[key] = 1;
  bucket.wonSize = ranked.length;
  bucket.wonCut = (ranked.at(-1) as readonly [number, string])[0];
}

function smallest(keys: string[], sample: number): (readonly [number, string])[] {
  return keys
    .map((key) => [hash(key), key] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
    .slice(0, sample);
}

/** Keeps the `sample` accounts with the smallest hashes: the same ones whatever the order they came in. */
function cut(bucket: Bucket, sample: number): void {
  if (bucket.size <= sample) return;
  const ranked = Object.keys(bucket.accounts)
    .map((key) => [hash(key), key] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  const kept = keyed<number>();
  for (const [, key] of ranked.slice(0, sample)) kept[key] = bucket.accounts[key] as number;
  bucket.accounts = kept;
  bucket.size = sample;
  bucket.failing = undefined;
  failingOf(bucket);
  bucket.cut = (ranked[sample - 1] as readonly [number, string])[0];
}

/** FNV-1a, 32 bits: spreads account keys for the bottom-k sample. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The window ending at `end`: its sampled accounts with their facts, and how many were tried. */
interface Window {
  accounts: [key: string, facts: number][];
  distinct: number;
  failing: number;
  unknown: number;
  first: number;
}

function windowAt(s: SourceState, end: number, config: DetectionConfig): Window {
  const { windowMs, sample } = config.source;
  const union = new Map<string, number>();
  let sampled = false;
  let first = end;
  for (const bucket of s.buckets) {
    if (bucket.start < end - windowMs || bucket.start >= end) continue;
    if (bucket.cut !== null) sampled = true;
    if (bucket.start < first) first = bucket.start;
    for (const key in bucket.accounts)
      union.set(key, (union.get(key) ?? 0) | (bucket.accounts[key] as number));
  }
  // Sorted: the order accounts were first seen in depends on delivery, and verdicts follow it.
  let accounts = [...union].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  let distinct = accounts.length;
  if (sampled || accounts.length > sample) {
    const ranked = accounts
      .map((entry) => [hash(entry[0]), entry] as const)
      .sort((a, b) => a[0] - b[0] || (a[1][0] < b[1][0] ? -1 : 1));
    accounts = ranked.slice(0, sample).map(([, entry]) => entry);
    const kth = (ranked[Math.min(sample, ranked.length) - 1] as readonly [number, unknown])[0];
    // Exact while no bucket was cut; else the k-th smallest of n uniform hashes sits near k/n of
    // their range (Bar-Yossef et al.'s estimate).
    if (sampled) distinct = Math.round(((sample - 1) * 2 ** 32) / (kth + 1));
  }
  let failing = 0;
  let unknown = 0;
  for (const entry of accounts) {
    const facts = entry[1];
    if ((facts & SUCCEEDED) === 0) failing += 1;
    if ((facts & UNKNOWN) !== 0) unknown += 1;
  }
  const n = Math.max(1, accounts.length);
  return { accounts, distinct, failing: failing / n, unknown: unknown / n, first };
}

function judge(s: SourceState, watermark: number, source: Source, config: DetectionConfig): SourceVerdict[] {
  const settings = config.source;
  const verdicts: SourceVerdict[] = [];
  for (const bucket of s.buckets) {
    const end = bucket.start + settings.bucketMs;
    if (end <= s.judged) continue;
    if (end > watermark) break;
    cut(bucket, settings.sample);
    cutWon(bucket, settings.sample);
    judgeWindow(s, bucket, end, source, config, verdicts);
    s.judged = end;
  }
  // Buckets are ascending: those no later window needs are the first ones, dropped in place.
  const needed = s.judged + settings.bucketMs - settings.windowMs;
  while (s.buckets.length > 0 && (s.buckets[0] as Bucket).start < needed) s.buckets.shift();
  return verdicts;
}

function judgeWindow(
  s: SourceState,
  bucket: Bucket,
  end: number,
  source: Source,
  config: DetectionConfig,
  verdicts: SourceVerdict[],
): void {
  const settings = config.source;
  // An episode ends once a whole window passed without it.
  if (s.hot !== null && end - s.hot.until > settings.windowMs) endEpisode(s);
  if (s.hot === null) {
    // Most sources are a household's few logins: fewer accounts than any threshold, nothing to merge.
    let tried = 0;
    let failing = 0;
    for (const b of s.buckets) {
      if (b.start < end - settings.windowMs || b.start >= end) continue;
      tried += b.size;
      failing += failingOf(b);
    }
    if (tried < Math.min(settings.spray.accounts, settings.stuffing.accounts)) {
      learnUsual(s, tried, tried === 0 ? 0 : failing / tried, source, config);
      return;
    }
  }
  const window = windowAt(s, end, config);
  const code = classify(window, s, source, config);
  const tell = (key: string, facts: number): void => {
    if (!key.startsWith("#")) return;
    const success = (facts & SUCCEEDED) !== 0;
    if (!success && s.notified[key] !== undefined) return;
    if (s.notified[key] === undefined && s.notifiedCount < settings.maxNotified) {
      s.notified[key] = 1;
      s.notifiedCount += 1;
    }
    verdicts.push(verdict(s, window, source, key.slice(1), success, end));
  };
  if (s.hot === null) {
    if (code === null) {
      learnUsual(s, window.distinct, window.failing, source, config);
      return;
    }
    // Everyone tried in the window learns it now, successes included: they may already be in.
    s.hot = { code, since: window.first, until: end };
    const everyone = new Map(window.accounts);
    for (const b of s.buckets) if (b.start >= end - settings.windowMs && b.start < end) winners(b, everyone);
    for (const key of [...everyone.keys()].sort()) tell(key, everyone.get(key) as number);
    return;
  }
  const least = Math.min(settings.spray.accounts, settings.stuffing.accounts);
  if (code === null && window.distinct < least * settings.coolDownShare) {
    // The attack has moved on: whoever logs in from here now is judged afresh.
    endEpisode(s);
    return;
  }
  if (code === "credential_stuffing") s.hot.code = code;
  s.hot.until = end;
  const tried = winners(bucket, new Map(Object.entries(bucket.accounts)));
  for (const key of [...tried.keys()].sort()) tell(key, tried.get(key) as number);
}

/** Adds the bucket's sampled winners to `accounts`, as having got in. */
function winners(bucket: Bucket, accounts: Map<string, number>): Map<string, number> {
  for (const key in bucket.won ?? {}) accounts.set(key, (accounts.get(key) ?? FAILED) | SUCCEEDED);
  return accounts;
}

function endEpisode(s: SourceState): void {
  s.hot = null;
  s.notified = keyed();
  s.notifiedCount = 0;
}

/**
 * What an autonomous system usually sends, learned from quiet windows that do not have an attack's
 * shape (most accounts failing): a slow ramp of failures cannot teach it a higher bar.
 */
function learnUsual(
  s: SourceState,
  distinct: number,
  failing: number,
  source: Source,
  config: DetectionConfig,
): void {
  if (source.scope !== "asn" || failing >= config.source.spray.failureRatio) return;
  s.usual += (distinct - s.usual) * config.source.asn.usualWeight;
}

function classify(
  window: Window,
  s: SourceState,
  source: Source,
  config: DetectionConfig,
): SourceVerdict["code"] | null {
  const { spray, stuffing, asn } = config.source;
  // An autonomous system carries its usual users: only a multiple of what it usually sends counts.
  const floor = source.scope === "asn" ? asn.usualFactor * s.usual : 0;
  if (
    window.distinct >= Math.max(stuffing.accounts, floor) &&
    window.failing >= stuffing.failureRatio &&
    window.unknown >= stuffing.unknownShare
  ) {
    return "credential_stuffing";
  }
  if (window.distinct >= Math.max(spray.accounts, floor) && window.failing >= spray.failureRatio) {
    return "password_spray";
  }
  return null;
}

function verdict(
  s: SourceState,
  window: Window,
  source: Source,
  userId: string,
  success: boolean,
  at: number,
): SourceVerdict {
  const hot = s.hot as NonNullable<SourceState["hot"]>;
  return {
    userId,
    code: hot.code,
    network: source.key,
    at,
    details: {
      accounts: window.distinct,
      failureRatio: Math.round(window.failing * 100) / 100,
      unknownShare: Math.round(window.unknown * 100) / 100,
      windowStart: hot.since,
      success,
      scope: source.scope,
      ...(source.scope === "asn" && s.org !== undefined ? { org: s.org } : {}),
    },
  };
}
