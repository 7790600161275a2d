import type { ContentType } from "@vigil/events";
import { addressAt, sharedNetwork } from "./network.ts";
import type { Rng } from "./random.ts";
import type { Access, LoginHow, Session, Story } from "./story.ts";
import { DAY, HOUR, MINUTE, SECOND } from "./story.ts";
import type { Setting, User } from "./users.ts";
import { actingIn, homeSetting } from "./users.ts";

// The everyday traffic of one account: a few sessions a week at waking hours of the user's time
// zone, each a login (now and then after a mistyped password), some content edits, rarely a
// settings change, and a logout or an idle expiry. Personas reuse it and bend where and on what.

/** Relative chance of a session starting in each local hour: quiet nights, busy evenings. */
const HOUR_WEIGHTS = [
  3, 1.5, 1, 1, 1, 2, 6, 12, 16, 14, 12, 12, 15, 13, 11, 11, 12, 14, 17, 20, 22, 20, 15, 8,
];
const HOURS = HOUR_WEIGHTS.map((weight, hour) => [hour, weight] as const);

/** Longest a session lasts (actions plus idle expiry), so stories can keep clear of other events. */
export const MAX_SESSION = 3 * HOUR;

export interface Life {
  user: User;
  /** Sessions start in [from, to): the account's first day (or the window's) to the window's end. */
  from: number;
  to: number;
  /** Where and on what a session at `at` happens; null when the user is not online then (a flight). */
  setting(at: number, rng: Rng): Setting | null;
}

/** Cafés, friends' flats, a library: public Wi-Fi of the user's city, shared with its other users. */
const CITY_WIFI_SLOTS = 16;

/** Home, and now and then (3 %) the phone on a Wi-Fi elsewhere in town. */
export function homeLife(user: User, from: number, to: number): Life {
  return {
    user,
    from,
    to,
    setting: (_at, rng) =>
      rng.chance(0.03)
        ? { device: user.phone, network: sharedNetwork("wifi", user.home, rng.int(0, CITY_WIFI_SLOTS - 1)) }
        : homeSetting(user, rng),
  };
}

/** Session start times in [from, to), at waking hours of the user's home time zone. */
export function sessionTimes(user: User, rng: Rng, from: number, to: number): number[] {
  const offset = user.home.utcOffset * HOUR;
  const times: number[] = [];
  // Local days overlapping the window, from the local midnight at or before `from`.
  for (let midnight = Math.floor((from + offset) / DAY) * DAY - offset; midnight < to; midnight += DAY) {
    const count = rng.poisson(user.sessionsPerWeek / 7);
    for (let i = 0; i < count; i++) {
      const at = midnight + rng.weighted(HOURS) * HOUR + rng.int(0, HOUR - 1);
      if (at >= from && at < to - MAX_SESSION) times.push(at);
    }
  }
  return times.sort((a, b) => a - b);
}

/** The first time at or after `at` that falls in an hour the user is often online (local time). */
export function usualTime(user: User, rng: Rng, at: number): number {
  const offset = user.home.utcOffset * HOUR;
  const midnight = Math.floor((at + offset) / DAY) * DAY - offset;
  const t = midnight + rng.weighted(HOURS) * HOUR + rng.int(0, HOUR - 1);
  return t >= at ? t : t + DAY;
}

export function accessOf(setting: Setting, at: number, rng: Rng): Access {
  return {
    ip: addressAt(setting.network, at, rng),
    userAgent: setting.device.agent.ua,
    deviceId: setting.device.id,
  };
}

function loginHow(user: User, setting: Setting, rng: Rng): LoginHow {
  const mobile = setting.device.agent.kind !== "desktop";
  const method = rng.weighted([
    ["password", 70],
    ["passkey", 14],
    ["sso", 8],
    ["token", mobile ? 12 : 2],
  ] as const);
  return method === "password" ? { method, mfa: user.mfa } : { method };
}

/**
 * Logs the user in at `at` (after mistyped passwords, sometimes) and returns the open session.
 * `typos` forces that many failures first; by default the user's typo rate decides.
 */
export function logIn(
  story: Story,
  user: User,
  rng: Rng,
  at: number,
  setting: Setting,
  typos?: number,
): Session {
  const access = accessOf(setting, at, rng);
  const failures =
    typos ??
    (rng.chance(user.typoRate)
      ? rng.weighted([
          [1, 6],
          [2, 3],
          [3, 2],
          [4, 1],
        ])
      : 0);
  let t = at;
  for (let i = 0; i < failures; i++) {
    story.loginFailed(t, user.role, user.id, access, "bad_password");
    t += rng.int(4, 40) * SECOND; // retyping
  }
  if (failures === 0 && user.mfa && rng.chance(0.01)) {
    story.loginFailed(t, user.role, user.id, access, "mfa_failed"); // a code typed too late
    t += rng.int(20, 90) * SECOND;
  }
  return story.login(t, user.role, user.id, access, loginHow(user, setting, rng));
}

const EDITED: readonly (readonly [ContentType, number])[] = [
  ["photo", 50],
  ["comment", 30],
  ["album", 8],
  ["other", 12],
];

/** What people do once logged in: mostly edits, some small deletions, rarely a settings change. */
export function ordinaryActivity(session: Session, user: User, rng: Rng, setting: Setting): void {
  const actions = 1 + rng.poisson(2.2);
  for (let i = 0; i < actions; i++) {
    const gap = 5 * SECOND + rng.exponential(3 * MINUTE);
    if (rng.chance(0.85)) session.modify(gap, rng.weighted(EDITED), 1 + rng.poisson(1.2));
    else session.delete(gap, rng.chance(0.6) ? "photo" : "comment", rng.int(1, 3));
  }
  if (rng.chance(0.03))
    session.change(rng.int(20, 300) * SECOND, rng.chance(0.6) ? "profile" : "privacy", "updated");
  // A benign password change happens from the usual place and device.
  if (setting.device === user.laptop && setting.network === user.homeNet && rng.chance(0.006)) {
    session.change(rng.int(30, 200) * SECOND, "password", "updated");
  }
  endSession(session, rng);
}

export function endSession(session: Session, rng: Rng): void {
  if (rng.chance(0.35)) session.end(rng.int(5, 120) * SECOND, "logout");
  else session.end(30 * MINUTE, "expired"); // idle timeout after the last action
}

/** Plays the user's ordinary sessions over the life's window into the story. */
export function liveRoutine(life: Life, story: Story, rng: Rng): void {
  const { user } = life;
  for (const at of sessionTimes(user, rng, life.from, life.to)) {
    const setting = life.setting(at, rng);
    if (setting === null) continue;
    const who = actingIn(user, setting);
    ordinaryActivity(logIn(story, who, rng, at, setting), who, rng, setting);
  }
}
