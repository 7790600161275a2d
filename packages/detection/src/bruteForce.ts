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
import { duration, locationOf, plural } from "./wording.ts";

type Failure = [at: number, network: string | null];

/** Recent failed logins of one account, and the sessionless flag of the burst they form, if any. */
export interface FailureWindow {
  /** Ascending in time, within the window of the newest. */
  recent: Failure[];
  flag: FlagRecord | null;
}

export function emptyFailures(): FailureWindow {
  return { recent: [], flag: null };
}

/** A failed login on the account: a burst of them is brute force even before anything succeeds. */
export function bruteForceFailure(
  failures: FailureWindow,
  userId: string,
  obs: Observation,
  config: DetectionConfig,
): FlagUpdate | null {
  const settings = config.bruteForce;
  insert(failures.recent, obs.at, obs.network);
  const newest = (failures.recent.at(-1) as Failure)[0];
  while (
    failures.recent.length > settings.maxKept ||
    (failures.recent[0] as Failure)[0] < newest - settings.windowMs
  ) {
    failures.recent.shift();
  }
  const { n, since } = within(failures.recent, obs.at, settings.windowMs, undefined);
  let flag = failures.flag;
  if (flag !== null && flag.lastAt < obs.at - settings.windowMs) flag = failures.flag = null;
  if (flag === null && n < settings.failures) return null;
  if (flag === null) {
    flag = failures.flag = newFlag(flagId(userId, "brute_force", since), null, since, locationOf(obs.place));
    flag.count = n - 1;
  }
  const before = fingerprint(flag);
  touch(flag, obs.at);
  const reason: ScoredReason = {
    code: "brute_force",
    points: settings.sessionlessPoints,
    message: `${plural(flag.count, "failed login")} on this account in ${duration(flag.lastAt - flag.firstAt)}, none successful yet`,
    details: { failures: flag.count, windowMinutes: settings.windowMs / 60_000 },
  };
  addReason(flag, noteMalformed(reason, obs.malformed));
  return settle(flag, userId, config, before);
}

/**
 * A success after many failures from the same network is likely the attacker getting in, and ends
 * that burst. Failures from elsewhere stay: the owner logging in from home during an attack is
 * neither suspicious nor the end of the attack.
 */
export function bruteForceSuccess(
  failures: FailureWindow,
  at: number,
  network: string | null,
  config: DetectionConfig,
): ScoredReason | null {
  const settings = config.bruteForce;
  const { n, since } = within(failures.recent, at, settings.windowMs, network);
  failures.recent = failures.recent.filter(([time, from]) => time > at || from !== network);
  if (failures.recent.length === 0) failures.flag = null;
  if (n < settings.failuresBeforeSuccess) return null;
  return {
    code: "brute_force",
    points: n >= settings.manyFailuresBeforeSuccess ? settings.manySuccessPoints : settings.successPoints,
    message: `Login succeeded after ${plural(n, "failed attempt")} in ${duration(at - since)}`,
    details: { failures: n, minutes: Math.round((at - since) / 60_000) },
  };
}

/** Failures in the window up to `at`; from `network` only, unless it is undefined. */
function within(
  recent: readonly Failure[],
  at: number,
  windowMs: number,
  network: string | null | undefined,
): { n: number; since: number } {
  let n = 0;
  let since = at;
  for (const [time, from] of recent) {
    if (time > at || time < at - windowMs || (network !== undefined && from !== network)) continue;
    n += 1;
    if (time < since) since = time;
  }
  return { n, since };
}

function insert(recent: Failure[], at: number, network: string | null): void {
  let index = recent.length;
  while (index > 0 && (recent[index - 1] as Failure)[0] > at) index -= 1;
  recent.splice(index, 0, [at, network]);
}
