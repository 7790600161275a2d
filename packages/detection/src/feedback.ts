import { type DetectionConfig, defaultDetectionConfig, LEVELS } from "./config.ts";
import { type LoginKeys, type Profile, unlearn } from "./profile.ts";
import type { UserState } from "./user.ts";

/** An analyst's resolution or the user's answer to a notice, about one session (or none). */
export interface Feedback {
  verdict: "legitimate" | "compromised";
  sessionId: string | null;
  at: number;
}

/**
 * Teaches the profile from a human verdict. Legitimate ("it was me"): the session's place, network
 * and device become trusted, and the session no longer escalates. Compromised: its network and
 * device id are marked and never familiar again, and whatever its login taught is withdrawn.
 * Feedback about a session the state no longer holds (or a sessionless flag) changes nothing but
 * the failure window. Mutates and returns `state`.
 */
export function applyFeedback(
  state: UserState,
  feedback: Feedback,
  config: DetectionConfig = defaultDetectionConfig,
): UserState {
  if (feedback.sessionId === null) {
    if (feedback.verdict === "legitimate") state.failures = { recent: [], flag: null };
    return state;
  }
  const session = state.sessions.find((s) => s.id === feedback.sessionId);
  if (session === undefined) return state;
  const profile = state.profile;
  if (feedback.verdict === "legitimate") {
    if (session.status === "compromised") return state;
    session.status = "legitimate";
    if (session.keys !== null) trust(profile, session.keys, feedback.at, config);
    const place = session.place;
    if (place !== null && !profile.places.some((p) => p.sessionId === feedback.sessionId)) {
      profile.places.push({ ...place, at: session.startedAt, sessionId: feedback.sessionId });
      profile.places.sort((a, b) => a.at - b.at);
      if (profile.places.length > config.profile.maxPlaces) profile.places.shift();
    }
    return state;
  }
  session.status = "compromised";
  if (session.keys !== null) {
    if (session.learned === true) unlearn(profile, session.keys, config);
    markCompromised(profile, session.keys, feedback.at);
  }
  session.learned = "withdrawn";
  profile.places = profile.places.filter((p) => p.sessionId !== feedback.sessionId);
  return state;
}

/** The user vouched for these values: familiar from now on, whatever their history. */
function trust(profile: Profile, keys: LoginKeys, at: number, config: DetectionConfig): void {
  for (const level of LEVELS) {
    const key = keys[level];
    if (key === undefined) continue;
    const entry = profile.values[level][key];
    if (entry?.compromised === true) continue;
    if (entry === undefined)
      profile.values[level][key] = { n: config.profile.trustedWeight, at, trusted: true };
    else {
      entry.n += config.profile.trustedWeight;
      entry.trusted = true;
      if (at > entry.at) entry.at = at;
    }
  }
}

/** An attacker used these: the identifying ones (network, device id) are never familiar again. */
function markCompromised(profile: Profile, keys: LoginKeys, at: number): void {
  for (const level of ["network", "deviceId"] as const) {
    const key = keys[level];
    if (key === undefined) continue;
    profile.values[level][key] = { n: 0, at, compromised: true };
  }
}
