import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import {
  addReason,
  type FlagRecord,
  type FlagUpdate,
  fingerprint,
  flagId,
  newFlag,
  noteMalformed,
  settle,
  touch,
} from "./flag.ts";
import type { Observation } from "./observation.ts";
import { asnKnown, assess, type LevelStatus, loginKeys, type Profile } from "./profile.ts";
import { duration, locationOf, placeLabel, plural } from "./wording.ts";

// Credential attacks on one account as attackers run them: from many networks (a proxy pool gives
// each attempt another address) and slowly (a few per hour stays under per-hour limits). So
// failures are counted across sources, over an hour and over a day. What the attacker cannot fake
// is the owner's context: failures from the account's own network and device are the owner's
// typos, whatever their number, and never count.

/** A failure from outside the account's own context: its time and network. */
type Failure = [at: number, network: string | null];
/** Failures from outside the account's own context in one hour of event time, and the first's time. */
type Hour = [start: number, failures: number, first: number];

const HOUR = 3_600_000;

/** Recent failed logins of one account, and the sessionless flag of the attack they form, if any. */
export interface FailureWindow {
  /** Ascending in time, within the hour window of the newest, at most `maxKept`. */
  recent: Failure[];
  /** Counts per hour over the day window, ascending (absent in states written before it existed). */
  hours?: Hour[];
  flag: FlagRecord | null;
}

export function emptyFailures(): FailureWindow {
  return { recent: [], hours: [], flag: null };
}

/**
 * Whether the login comes from the account's own context: its own device (its id when the client
 * sends one, else its browser family) on its own network (the /24 or /48 the profile knows, or a
 * known autonomous system from a known country: carriers move their users between prefixes); or
 * from the very prefix the account uses, on any device (the owner's new laptop at home: an
 * attacker inside the victim's own /24 is rare, and novelty still scores the device); or the
 * account's own device id from its own country (the owner's phone on a carrier the profile has not
 * met: whoever copied a device id holds the saved password too, and guesses nothing).
 */
export function ownContext(
  profile: Profile,
  statuses: readonly LevelStatus[],
  obs: Observation,
): { own: boolean; network: boolean; device: boolean } {
  let network = false;
  let country = false;
  let device = false;
  let hasDeviceId = false;
  for (const status of statuses) {
    if (status.level === "network") network = status.seen;
    else if (status.level === "country") country = status.seen;
    else if (status.level === "deviceId") {
      hasDeviceId = true;
      device = status.seen;
    } else if (status.level === "family" && !hasDeviceId) device = status.seen;
  }
  // A browser family alone is anyone's: it counts only for accounts whose clients send no device id.
  if (!hasDeviceId && device) {
    for (const _ in profile.values.deviceId) {
      device = false;
      break;
    }
  }
  const carrier = network || (country && asnKnown(profile, obs.asn?.number));
  const ownId = hasDeviceId && device && country;
  return { own: network || (carrier && device) || ownId, network: carrier, device };
}

/**
 * A failed login on the account. From its own context it is a typo and counts for nothing. From
 * elsewhere it counts; a burst (an hour) or a campaign (a day) of them is brute force even before
 * anything succeeds, and a failed second factor means the password was right: high at once.
 */
export function bruteForceFailure(
  failures: FailureWindow,
  userId: string,
  obs: Observation,
  profile: Profile,
  config: DetectionConfig,
): FlagUpdate | null {
  const own = ownContext(profile, assess(profile, loginKeys(obs)), obs);
  if (own.own) return null;
  const settings = config.bruteForce;
  insert(failures.recent, obs.at, obs.network);
  const newest = (failures.recent.at(-1) as Failure)[0];
  while (
    failures.recent.length > settings.maxKept ||
    (failures.recent[0] as Failure)[0] < newest - settings.windowMs
  ) {
    failures.recent.shift();
  }
  failures.hours ??= [];
  const hours = countHour(failures.hours, obs.at, settings.dayMs);
  const { n, since } = within(failures.recent, obs.at, settings.windowMs);
  const day = inDay(hours, obs.at, settings.dayMs);
  // A new context is a network and a device the account does not use: on its own network a failed
  // code is the owner's new phone, on its own device abroad the owner travelling.
  const mfa =
    obs.event.type === "login.failed" && obs.event.reason === "mfa_failed" && !own.network && !own.device;
  let flag = failures.flag;
  if (flag !== null && flag.lastAt < obs.at - settings.dayMs) flag = failures.flag = null;
  const burst = n >= settings.failures;
  const campaign = day.n >= settings.dayFailures;
  if (flag === null && !burst && !campaign && !mfa) return null;
  if (flag === null) {
    const first = burst || mfa ? since : Math.min(since, day.since);
    flag = failures.flag = newFlag(flagId(userId, "brute_force", first), null, first, locationOf(obs.place));
    flag.count = burst ? n - 1 : campaign ? day.n - 1 : 0;
  }
  const before = fingerprint(flag);
  touch(flag, obs.at);
  if (burst || campaign || flag.reasons.some((r) => r.code === "brute_force")) {
    const reason: ScoredReason = {
      code: "brute_force",
      points: settings.sessionlessPoints,
      message: campaign
        ? `${plural(day.n, "failed login")} on this account in ${duration(obs.at - day.since)} from networks and devices it does not use, none successful yet`
        : `${plural(Math.max(n, flag.count), "failed login")} on this account in ${duration(flag.lastAt - flag.firstAt)}, none successful yet`,
      details: { failures: Math.max(n, day.n), hourFailures: n, dayFailures: day.n },
    };
    addReason(flag, noteMalformed(reason, obs.malformed));
  }
  if (mfa) addReason(flag, noteMalformed(mfaFailed(obs, config), obs.malformed));
  return settle(flag, userId, config, before);
}

function mfaFailed(obs: Observation, config: DetectionConfig): ScoredReason {
  const where = obs.place === null ? "" : ` in ${placeLabel(obs.place)}`;
  return {
    code: "mfa_failed",
    points: config.bruteForce.mfaFailedPoints,
    message: `The password was accepted but the second factor failed, from a network and device this account does not use${where}: the password is likely known to someone else`,
    details: { network: obs.network, asn: obs.asn?.number ?? null },
  };
}

/**
 * A success after many failures from outside the account's own context, itself from a new
 * context, is likely the attacker getting in; it ends the attack's count. A success from the
 * account's own network and device is the owner: the failures stay (an attack may be going on
 * elsewhere), and the owner's own typos were never counted. A known network alone does not make
 * the success the owner's: a carrier's /24 is shared by thousands, and the attacker who failed from
 * everywhere else may get in through one the owner's phone has used, on a device never seen.
 */
export function bruteForceSuccess(
  failures: FailureWindow,
  obs: Observation,
  profile: Profile,
  statuses: readonly LevelStatus[],
  config: DetectionConfig,
): ScoredReason | null {
  const own = ownContext(profile, statuses, obs);
  if (own.own && own.device) return null;
  const settings = config.bruteForce;
  const at = obs.at;
  const { n, since } = within(failures.recent, at, settings.windowMs);
  const day = inDay(failures.hours ?? [], at, settings.dayMs);
  const many = n >= settings.manyFailuresBeforeSuccess || day.n >= settings.dayFailuresBeforeSuccess;
  if (n < settings.failuresBeforeSuccess && !many) return null;
  failures.recent = failures.recent.filter(([time]) => time > at);
  failures.hours = (failures.hours ?? []).filter(([start]) => start > at);
  failures.flag = null;
  const [total, from] = day.n > n ? [day.n, Math.min(day.since, since)] : [n, since];
  return {
    code: "brute_force",
    points: many ? settings.manySuccessPoints : settings.successPoints,
    message: `Login from a new network or device succeeded after ${plural(total, "failed attempt")} from elsewhere in ${duration(at - from)}`,
    details: {
      failures: total,
      hourFailures: n,
      dayFailures: day.n,
      minutes: Math.round((at - from) / 60_000),
    },
  };
}

/** Failures in the window up to `at`. */
function within(recent: readonly Failure[], at: number, windowMs: number): { n: number; since: number } {
  let n = 0;
  let since = at;
  for (const failure of recent) {
    const time = failure[0];
    if (time > at || time < at - windowMs) continue;
    n += 1;
    if (time < since) since = time;
  }
  return { n, since };
}

/** Failures in the hours of the day window up to `at`, and the start of the first such hour. */
function inDay(hours: readonly Hour[], at: number, dayMs: number): { n: number; since: number } {
  let n = 0;
  let since = at;
  for (const hour of hours) {
    const start = hour[0];
    if (start > at || start <= at - dayMs) continue;
    n += hour[1];
    if (hour[2] < since) since = hour[2];
  }
  return { n, since };
}

/** Counts a failure in its hour; drops hours older than the day before the newest. */
function countHour(hours: Hour[], at: number, dayMs: number): Hour[] {
  const start = Math.floor(at / HOUR) * HOUR;
  let index = hours.length;
  while (index > 0 && (hours[index - 1] as Hour)[0] > start) index -= 1;
  const found = hours[index - 1];
  if (found !== undefined && found[0] === start) {
    found[1] += 1;
    if (at < found[2]) found[2] = at;
  } else hours.splice(index, 0, [start, 1, at]);
  const newest = (hours.at(-1) as Hour)[0];
  while ((hours[0] as Hour)[0] <= newest - dayMs) hours.shift();
  return hours;
}

function insert(recent: Failure[], at: number, network: string | null): void {
  let index = recent.length;
  while (index > 0 && (recent[index - 1] as Failure)[0] > at) index -= 1;
  recent.splice(index, 0, [at, network]);
}
