import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import {
  addReason,
  type FlagRecord,
  type FlagUpdate,
  fingerprint,
  flagId,
  newFlag,
  settle,
  touch,
} from "./flag.ts";
import type { Observation } from "./observation.ts";
import { duration, locationOf, plural } from "./wording.ts";

/** Recent failed logins of one account, and the sessionless flag of the burst they form, if any. */
export interface FailureWindow {
  /** Event times, ascending, within the window of the newest. */
  times: number[];
  flag: FlagRecord | null;
}

export function emptyFailures(): FailureWindow {
  return { times: [], flag: null };
}

/** A failed login on the account: a burst of them is brute force even before anything succeeds. */
export function bruteForceFailure(
  failures: FailureWindow,
  userId: string,
  obs: Observation,
  config: DetectionConfig,
): FlagUpdate | null {
  const settings = config.bruteForce;
  insert(failures.times, obs.at);
  const newest = failures.times.at(-1) as number;
  while (
    failures.times.length > settings.maxKept ||
    (failures.times[0] as number) < newest - settings.windowMs
  ) {
    failures.times.shift();
  }
  const { n, since } = within(failures.times, obs.at, settings.windowMs);
  let flag = failures.flag;
  if (flag !== null && flag.lastAt < obs.at - settings.windowMs) flag = failures.flag = null;
  if (flag === null && n < settings.failures) return null;
  if (flag === null) {
    flag = failures.flag = newFlag(flagId(userId, "brute_force", since), null, since, locationOf(obs.place));
    flag.count = n - 1;
  }
  const before = fingerprint(flag);
  touch(flag, obs.at);
  addReason(flag, {
    code: "brute_force",
    points: settings.sessionlessPoints,
    message: `${plural(flag.count, "failed login")} on this account in ${duration(flag.lastAt - flag.firstAt)}, none successful yet`,
    details: { failures: flag.count, windowMinutes: settings.windowMs / 60_000 },
  });
  return settle(flag, userId, config, before);
}

/** A success after many failures on the account is likely the attacker getting in. Ends the burst. */
export function bruteForceSuccess(
  failures: FailureWindow,
  at: number,
  config: DetectionConfig,
): ScoredReason | null {
  const settings = config.bruteForce;
  const { n, since } = within(failures.times, at, settings.windowMs);
  failures.times = failures.times.filter((time) => time > at);
  failures.flag = null;
  if (n < settings.failuresBeforeSuccess) return null;
  return {
    code: "brute_force",
    points: settings.successPoints,
    message: `Login succeeded after ${plural(n, "failed attempt")} in ${duration(at - since)}`,
    details: { failures: n, minutes: Math.round((at - since) / 60_000) },
  };
}

function within(times: readonly number[], at: number, windowMs: number): { n: number; since: number } {
  let n = 0;
  let since = at;
  for (const time of times) {
    if (time > at || time < at - windowMs) continue;
    n += 1;
    if (time < since) since = time;
  }
  return { n, since };
}

function insert(times: number[], at: number): void {
  let index = times.length;
  while (index > 0 && (times[index - 1] as number) > at) index -= 1;
  times.splice(index, 0, at);
}
