import { type DetectionConfig, defaultDetectionConfig, LEVELS, type Level } from "./config.ts";
import { learnLogin } from "./learning.ts";
import { emptyMemory, forgetRisk, rememberRisk } from "./memory.ts";
import { type LoginKeys, type Profile, type ProfileEntry, unlearn, untrust } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import type { UserState } from "./userState.ts";

/** An analyst's resolution or the user's answer to a notice, about one session (or none). */
export interface Feedback {
  verdict: "legitimate" | "compromised";
  sessionId: string | null;
  at: number;
  /** Who said it: the account's owner answering a notice, or an analyst resolving the flag (the default). */
  by?: "owner" | "analyst";
}

/** What an owner's "it was me" may vouch for: where and on what kind of device, never which network or device id. */
const OWNER_LEVELS: readonly Level[] = ["country", "region", "city", "os", "family"];
/** Sessions remembered per trusted value as its grantors. */
const MAX_GRANTORS = 4;

/**
 * Teaches the profile from a human verdict (the state machine is in docs/trust.md).
 *
 * - Analyst "legitimate": the session's place, network and device become trusted (no expiry), its
 *   deferred login is learned, and the session no longer escalates.
 * - Owner "it was me": whoever holds a stolen session can say it too, so it trusts only the place
 *   and the kind of device, for `ownerTrustMs`; the network and device id are learned as ordinary
 *   values (earned by use), and the session keeps escalating.
 * - "compromised" (analyst, or the owner's "not me"), also after an earlier "it was me": every
 *   trust the session granted is taken back, what its login taught is withdrawn, its network and
 *   device id are never familiar again, and sessions from its context inherit its risk.
 *   A compromised session stays compromised.
 *
 * Feedback about a session the state no longer holds still takes back its grants; a sessionless
 * flag's "legitimate" clears the failure window. Mutates and returns `state`.
 */
export function applyFeedback(
  state: UserState,
  feedback: Feedback,
  config: DetectionConfig = defaultDetectionConfig,
): UserState {
  const sessionId = feedback.sessionId;
  if (sessionId === null) {
    if (feedback.verdict === "legitimate") state.failures = { recent: [], flag: null };
    return state;
  }
  const session = state.sessions.find((s) => s.id === sessionId);
  const profile = state.profile;
  if (feedback.verdict === "compromised") {
    revokeGrants(profile, sessionId, config);
    if (session !== undefined) compromise(state, session, feedback.at, config);
    return state;
  }
  if (session === undefined || session.status === "compromised") return state;
  const owner = feedback.by === "owner";
  if (owner && (session.vouched === true || session.status === "legitimate")) return state;
  if (owner) session.vouched = true;
  else session.status = "legitimate";
  if (session.learned === "deferred" || session.learned === false) learnLogin(state, null, session, config);
  if (session.keys !== null) {
    const until = owner ? feedback.at + config.profile.ownerTrustMs : undefined;
    trust(profile, session.keys, owner ? OWNER_LEVELS : LEVELS, sessionId, feedback.at, until, config);
  }
  forgetRisk(state.memory, sessionId);
  const place = session.place;
  if (place !== null && !profile.places.some((p) => p.sessionId === sessionId)) {
    profile.places.push({ ...place, at: session.startedAt, sessionId, asn: session.asn ?? null });
    profile.places.sort((a, b) => a.at - b.at);
    if (profile.places.length > config.profile.maxPlaces) profile.places.shift();
  }
  return state;
}

function compromise(state: UserState, session: SessionRisk, at: number, config: DetectionConfig): void {
  const profile = state.profile;
  session.status = "compromised";
  session.vouched = false;
  if (session.keys !== null) {
    if (session.learned === true) unlearn(profile, session.keys, config);
    markCompromised(profile, session.keys, at);
  }
  const pair = session.pair == null ? undefined : profile.pairs?.[session.pair];
  if (pair !== undefined) {
    if (session.learned === true) pair.n = Math.max(0, pair.n - 1);
    // The trip was the attacker's: its sighting vouches for nothing.
    pair.seen = 0;
  }
  session.learned = "withdrawn";
  profile.places = profile.places.filter((p) => p.sessionId !== session.id);
  // The attacker's place is where the next takeover attempt comes from.
  session.login = Math.max(session.login, config.severity.high);
  if (state.memory === undefined) state.memory = emptyMemory();
  rememberRisk(state.memory, session, at, config);
}

/** The user vouched for these values: familiar from now on (until `until`, if set), whatever their history. */
function trust(
  profile: Profile,
  keys: LoginKeys,
  levels: readonly Level[],
  sessionId: string,
  at: number,
  until: number | undefined,
  config: DetectionConfig,
): void {
  for (const level of levels) {
    const key = keys[level];
    if (key === undefined) continue;
    let entry = profile.values[level][key];
    if (entry?.compromised === true) continue;
    if (entry === undefined) {
      entry = { n: 0, at };
      profile.values[level][key] = entry;
    }
    if (entry.by?.includes(sessionId) === true) continue;
    entry.n += config.profile.trustedWeight;
    if (at > entry.at) entry.at = at;
    // An analyst's lasting trust is not shortened by an owner's expiring one.
    const lasting = entry.trusted === true && entry.until === undefined;
    entry.trusted = true;
    if (until === undefined || lasting) delete entry.until;
    else entry.until = Math.max(entry.until ?? 0, until);
    entry.by = [...(entry.by ?? []), sessionId].slice(-MAX_GRANTORS);
  }
}

/** Takes back what a session's confirmation granted (its weight and, if no other grantor is left, the trust). */
function revokeGrants(profile: Profile, sessionId: string, config: DetectionConfig): void {
  for (const level of LEVELS) {
    const values = profile.values[level];
    for (const key of Object.keys(values)) {
      const entry = values[key] as ProfileEntry;
      if (entry.by?.includes(sessionId) !== true) continue;
      entry.n = Math.max(0, entry.n - config.profile.trustedWeight);
      entry.by = entry.by.filter((s) => s !== sessionId);
      if (entry.by.length === 0) untrust(entry);
      if (entry.n < config.profile.forgetBelow && entry.trusted !== true && entry.compromised !== true) {
        delete values[key];
      }
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
