import type { Place } from "@vigil/geo";
import { type DetectionConfig, LEVELS, type Level, PARENT } from "./config.ts";
import { keyed, safeKey } from "./keyed.ts";
import type { Observation } from "./observation.ts";

/** One remembered value of a feature: decayed count of logins with it and when it was last seen. */
export interface ProfileEntry {
  n: number;
  at: number;
  /** Confirmed by the user or an analyst: never forgotten, never suspicious (until `until`, if set). */
  trusted?: true;
  /** When an owner's confirmation stops counting (an analyst's does not expire). */
  until?: number;
  /** Sessions whose confirmation granted the trust: a compromised verdict on one takes it back. */
  by?: string[];
  /** When the value was first learned (networks, device ids and autonomous systems only). */
  since?: number;
  /** Place pairs only: times the trip was seen at all (learned or not). */
  seen?: number;
  /** Used by an attacker: never familiar again. */
  compromised?: true;
}

/** The value of each feature in one login; a feature the event does not tell is absent. */
export type LoginKeys = Partial<Record<Level, string>>;

/** A located login kept as a reference for impossible travel. */
export interface ReferencePlace {
  at: number;
  lat: number;
  lon: number;
  accuracyKm: number;
  country: string;
  city: string | null;
  sessionId: string;
  /** Autonomous system number of the login's address, when known. */
  asn?: number | null;
  /** A phone or tablet: its geolocation is weak evidence (roaming tunnels home). */
  mobile?: boolean;
}

/** What the account's logins looked like: plain JSON data, bounded and decaying. */
export interface Profile {
  /** Logins learned, undecayed: drives the learning period and messages. */
  logins: number;
  /** Decayed count of logins: the denominator of top-level frequencies. */
  weight: number;
  firstAt: number | null;
  lastAt: number | null;
  decayedAt: number | null;
  values: Record<Level, Record<string, ProfileEntry>>;
  /** Per level, decayed [new values seen, logins whose parent value was already known]. */
  novelty: Record<Level, [novel: number, trials: number]>;
  places: ReferencePlace[];
  /** Autonomous systems of learned logins, by number (absent in states older than ASN enrichment). */
  asns?: Record<string, ProfileEntry>;
  /**
   * Place pairs the user keeps travelling between faster than a plane (a VPN exit and home, a
   * hotel and the home carrier), by pair key: learned from sessions that ended without harm.
   */
  pairs?: Record<string, ProfileEntry>;
}

/** How one login's value at one level relates to the profile, computed before it is learned. */
export interface LevelStatus {
  level: Level;
  key: string;
  /** Nearest coarser level the login has a value for, if any. */
  parent: LevelStatus | null;
  /** The coarser value is familiar, so this level's novelty is news (not implied by the parent's). */
  parentKnown: boolean;
  seen: boolean;
  entry: ProfileEntry | undefined;
}

function byLevel<T>(make: () => T): Record<Level, T> {
  return Object.fromEntries(LEVELS.map((level) => [level, make()])) as Record<Level, T>;
}

export function emptyProfile(): Profile {
  return {
    logins: 0,
    weight: 0,
    firstAt: null,
    lastAt: null,
    decayedAt: null,
    values: byLevel(() => keyed<ProfileEntry>()),
    novelty: byLevel(() => [0, 0] as [number, number]),
    places: [],
    asns: keyed(),
    pairs: keyed(),
  };
}

/** Levels whose values remember when they were first learned: what says a context is young. */
const DATED: ReadonlySet<Level> = new Set(["network", "deviceId"]);
const MAX_ASNS = 16;
const FIRST_DAY = 86_400_000;
const MAX_PAIRS = 8;

/** The account's learned logins came through this autonomous system (not counting compromised ones). */
export function asnKnown(profile: Profile, asn: number | null | undefined): boolean {
  if (asn === null || asn === undefined) return false;
  const entry = profile.asns?.[asn];
  return entry !== undefined && entry.n > 0 && entry.compromised !== true;
}

/** Counts one more learned login through this autonomous system. */
export function learnAsn(profile: Profile, asn: number | null | undefined, at: number): void {
  if (asn === null || asn === undefined) return;
  if (profile.asns === undefined) profile.asns = keyed();
  const asns = profile.asns;
  const entry = asns[asn];
  if (entry === undefined) {
    asns[asn] = { n: 1, at, since: at };
    bound(asns, MAX_ASNS);
  } else if (entry.compromised !== true) {
    entry.n += 1;
    if (at > entry.at) entry.at = at;
  }
}

/** Counts one more sighting of a trip between two places, learned or not (bounded with the pairs). */
export function sightPair(profile: Profile, pair: string, at: number): void {
  if (profile.pairs === undefined) profile.pairs = keyed();
  const pairs = profile.pairs;
  const entry = pairs[pair];
  if (entry === undefined) {
    pairs[pair] = { n: 0, at, seen: 1 };
    bound(pairs, MAX_PAIRS);
  } else {
    entry.seen = (entry.seen ?? 0) + 1;
    if (at > entry.at) entry.at = at;
  }
}

/** Counts one more quiet session between two places too far apart for the time between them. */
export function learnPair(profile: Profile, pair: string, at: number): void {
  if (profile.pairs === undefined) profile.pairs = keyed();
  const pairs = profile.pairs;
  const entry = pairs[pair];
  if (entry === undefined) {
    pairs[pair] = { n: 1, at };
    bound(pairs, MAX_PAIRS);
  } else {
    entry.n += 1;
    if (at > entry.at) entry.at = at;
  }
}

/** A place's region and city keys: built once per place, which enrichment shares by address. */
const placeKeys = new WeakMap<Place, { region: string | undefined; city: string | undefined }>();

export function keysOfPlace(place: Place): { region: string | undefined; city: string | undefined } {
  let known = placeKeys.get(place);
  if (known === undefined) {
    known = {
      region: place.region === null ? undefined : `${place.country}/${place.region}`,
      city: place.city === null ? undefined : `${place.country}/${place.region ?? ""}/${place.city}`,
    };
    placeKeys.set(place, known);
  }
  return known;
}

export function loginKeys(obs: Observation): LoginKeys {
  const keys: LoginKeys = {};
  const place = obs.nonPublic ? null : obs.place;
  if (place !== null) {
    keys.country = place.country;
    const { region, city } = keysOfPlace(place);
    if (region !== undefined) keys.region = region;
    if (city !== undefined) keys.city = city;
  }
  if (obs.network !== null) keys.network = obs.network;
  if (obs.device !== null) {
    keys.os = obs.device.os;
    keys.family = obs.device.family;
  }
  const deviceId = obs.event.deviceId;
  if (deviceId !== undefined && deviceId !== "") keys.deviceId = safeKey(deviceId);
  return keys;
}

// Parents by position: assess runs on every login, and name lookups showed in profiles.
const PARENT_AT: readonly number[] = LEVELS.map((level) => {
  const parent = PARENT[level];
  return parent === null ? -1 : LEVELS.indexOf(parent);
});

// By name, not `record[level]`: a read by a variable name is a slow lookup wherever the record's
// shape varies (login keys have as many shapes as the events that made them).
function levelValue(keys: LoginKeys, level: Level): string | undefined {
  switch (level) {
    case "country":
      return keys.country;
    case "region":
      return keys.region;
    case "city":
      return keys.city;
    case "network":
      return keys.network;
    case "os":
      return keys.os;
    case "family":
      return keys.family;
    case "deviceId":
      return keys.deviceId;
  }
}

function valuesOf(profile: Profile, level: Level): Record<string, ProfileEntry> {
  const values = profile.values;
  switch (level) {
    case "country":
      return values.country;
    case "region":
      return values.region;
    case "city":
      return values.city;
    case "network":
      return values.network;
    case "os":
      return values.os;
    case "family":
      return values.family;
    case "deviceId":
      return values.deviceId;
  }
}

// Each level's status while one login is assessed, by level position (cleared after each use).
const found: Array<LevelStatus | undefined> = LEVELS.map(() => undefined);

export function assess(profile: Profile, keys: LoginKeys): LevelStatus[] {
  const statuses: LevelStatus[] = [];
  for (let i = 0; i < LEVELS.length; i++) {
    const level = LEVELS[i] as Level;
    const key = levelValue(keys, level);
    if (key === undefined) continue;
    let parent: LevelStatus | null = null;
    for (let up = PARENT_AT[i] as number; up >= 0 && parent === null; up = PARENT_AT[up] as number) {
      parent = found[up] ?? null;
    }
    const entry = valuesOf(profile, level)[key];
    const status: LevelStatus = {
      level,
      key,
      parent,
      parentKnown: parent === null || (parent.seen && parent.parentKnown),
      seen: entry !== undefined && entry.n > 0 && entry.compromised !== true,
      entry,
    };
    found[i] = status;
    statuses.push(status);
  }
  found.fill(undefined);
  return statuses;
}

/** Adds one login to the profile. The first login counts no novelty trial: it has nothing to be new against. */
export function learn(
  profile: Profile,
  statuses: readonly LevelStatus[],
  at: number,
  config: DetectionConfig,
): void {
  decay(profile, at, config);
  for (const status of statuses) {
    if (profile.logins > 0 && status.parentKnown) {
      const pair = profile.novelty[status.level];
      pair[1] += 1;
      if (!status.seen) pair[0] += 1;
    }
    const values = profile.values[status.level];
    const entry = values[status.key];
    if (entry === undefined) {
      values[status.key] = DATED.has(status.level) ? { n: 1, at, since: at } : { n: 1, at };
      bound(values, config.profile.maxValues[status.level]);
    } else if (entry.compromised !== true) {
      entry.n += 1;
      if (at > entry.at) entry.at = at;
    }
  }
  profile.logins += 1;
  profile.weight += 1;
  if (profile.firstAt === null || at < profile.firstAt) profile.firstAt = at;
  if (profile.lastAt === null || at > profile.lastAt) profile.lastAt = at;
}

/** Removes one learned login's weight from its values (an attacker's login learned before it was known). */
export function unlearn(profile: Profile, keys: LoginKeys, config: DetectionConfig): void {
  for (const level of LEVELS) {
    const key = keys[level];
    const entry = key === undefined ? undefined : profile.values[level][key];
    if (key === undefined || entry === undefined) continue;
    entry.n = Math.max(0, entry.n - 1);
    if (entry.n < config.profile.forgetBelow && entry.trusted !== true && entry.compromised !== true) {
      delete profile.values[level][key];
    }
  }
  profile.weight = Math.max(0, profile.weight - 1);
}

/** Ages every count by event time, in steps so that most logins pay nothing for it. */
export function decay(profile: Profile, at: number, config: DetectionConfig): void {
  if (profile.decayedAt === null) {
    profile.decayedAt = at;
    return;
  }
  const elapsed = at - profile.decayedAt;
  if (elapsed < config.profile.decayStepMs) return;
  const factor = 2 ** (-elapsed / config.profile.halfLifeMs);
  profile.weight *= factor;
  for (const level of LEVELS) {
    const values = profile.values[level];
    for (const key in values) {
      const entry = values[key] as ProfileEntry;
      if (entry.until !== undefined && entry.until <= at) untrust(entry);
      entry.n *= factor;
      if (entry.n < config.profile.forgetBelow && entry.trusted !== true && entry.compromised !== true) {
        delete values[key];
      }
    }
    const pair = profile.novelty[level];
    pair[0] *= factor;
    pair[1] *= factor;
  }
  decayExtra(profile.asns, factor, config);
  decayExtra(profile.pairs, factor, config);
  profile.decayedAt = at;
}

function decayExtra(
  extra: Record<string, ProfileEntry> | undefined,
  factor: number,
  config: DetectionConfig,
): void {
  if (extra !== undefined) {
    for (const key in extra) {
      const entry = extra[key] as ProfileEntry;
      entry.n *= factor;
      if (entry.seen !== undefined) entry.seen *= factor;
      const weight = Math.max(entry.n, entry.seen ?? 0);
      if (weight < config.profile.forgetBelow && entry.compromised !== true) delete extra[key];
    }
  }
}

/**
 * What in this session's context the account has not had for long: its network (when its
 * autonomous system is not an old one either) or its device id. Patient attackers can wait for
 * provisional learning; they cannot make a network or device old. Null when both are established.
 */
export function youngContext(
  profile: Profile,
  keys: LoginKeys | null,
  asn: number | null | undefined,
  at: number,
  youngMs: number,
): "network" | "device" | null {
  if (keys === null || profile.firstAt === null) return null;
  const after = youngAfter(profile.firstAt, at, youngMs);
  const network = keys.network;
  if (network !== undefined && isYoung(profile.values.network[network], after)) {
    if (asn === null || asn === undefined || isYoung(profile.asns?.[asn], after)) return "network";
  }
  const device = keys.deviceId;
  if (device !== undefined && isYoung(profile.values.deviceId[device], after)) return "device";
  return null;
}

/** The /24 or /48 itself is young, whatever its autonomous system (`youngContext` of the network alone). */
export function youngNetwork(
  profile: Profile,
  network: string | undefined,
  at: number,
  youngMs: number,
): boolean {
  if (network === undefined || profile.firstAt === null) return false;
  return isYoung(profile.values.network[network], youngAfter(profile.firstAt, at, youngMs));
}

// Young relative to the account too: what it has had for the older half of its life is its own.
function youngAfter(firstAt: number, at: number, youngMs: number): number {
  return Math.max(at - youngMs, firstAt + Math.max(FIRST_DAY, (at - firstAt) / 2));
}

function isYoung(entry: ProfileEntry | undefined, after: number): boolean {
  return (
    entry === undefined ||
    entry.n <= 0 ||
    entry.compromised === true ||
    (entry.since !== undefined && entry.since > after && entry.trusted !== true)
  );
}

/** The value is trusted at `at`: confirmed, and the confirmation has not expired. */
export function trustedAt(entry: ProfileEntry, at: number): boolean {
  return entry.trusted === true && (entry.until === undefined || at < entry.until);
}

/** Takes a confirmation back: the value is as ordinary as its own history makes it. */
export function untrust(entry: ProfileEntry): void {
  delete entry.trusted;
  delete entry.until;
  delete entry.by;
}

/** Drops the weakest ordinary value (least weight, then longest unseen, then key order) when over the bound. */
function bound(values: Record<string, ProfileEntry>, max: number): void {
  const keys = Object.keys(values);
  if (keys.length <= max) return;
  let weakest: string | null = null;
  let weakestEntry: ProfileEntry | null = null;
  for (const key of keys) {
    const entry = values[key] as ProfileEntry;
    // Confirmed and compromised values are what feedback taught: they outlive the bound.
    if (entry.trusted === true || entry.compromised === true) continue;
    if (
      weakestEntry === null ||
      entry.n < weakestEntry.n ||
      (entry.n === weakestEntry.n &&
        (entry.at < weakestEntry.at || (entry.at === weakestEntry.at && key < (weakest as string))))
    ) {
      weakest = key;
      weakestEntry = entry;
    }
  }
  if (weakest !== null) delete values[weakest];
}

/** Keeps the most recent located logins in time order; a late one slots in without moving history. */
export function rememberPlace(profile: Profile, place: ReferencePlace, config: DetectionConfig): void {
  const places = profile.places;
  let index = places.length;
  while (index > 0 && (places[index - 1] as ReferencePlace).at > place.at) index -= 1;
  places.splice(index, 0, place);
  if (places.length > config.profile.maxPlaces) places.shift();
}
