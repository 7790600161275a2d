import { massAction, sensitiveChange } from "./activity.ts";
import { bruteForceFailure, bruteForceSuccess, emptyFailures, type FailureWindow } from "./bruteForce.ts";
import { type DetectionConfig, defaultDetectionConfig } from "./config.ts";
import {
  addReason,
  type FlagRecord,
  type FlagUpdate,
  fingerprint,
  type ScoredReason,
  settle,
  touch,
} from "./flag.ts";
import { afterChange, familiar, learnLogin } from "./learning.ts";
import { novelty } from "./novelty.ts";
import type { Observation } from "./observation.ts";
import type { PopulationState } from "./population.ts";
import { assess, emptyProfile, loginKeys, type Profile } from "./profile.ts";
import { escalate, expireSessions, newSession, type SessionRisk } from "./session.ts";
import { impossibleTravel } from "./travel.ts";
import { type PendingVerdict, sourceReason } from "./verdicts.ts";
import { locationOf } from "./wording.ts";

/** Everything the engine knows about one account: plain JSON data, bounded. Persist it as JSON. */
export interface UserState {
  version: 1;
  /** Latest event time seen: the reference for lateness. */
  newest: number;
  profile: Profile;
  /** Open and recent sessions, oldest first; a few, so a scan beats a keyed record. */
  sessions: SessionRisk[];
  /** When sessions were last swept for expiry. */
  sweptAt: number;
  failures: FailureWindow;
  /** Source verdicts waiting for a success from that source. */
  targeted: PendingVerdict[];
  /** Sessionless flags of the account as a target of spray or stuffing, by code. */
  targetFlags: Record<string, FlagRecord>;
}

export interface UserStep {
  state: UserState;
  /** Flags raised or changed by this event; usually none, sometimes one. */
  flags: FlagUpdate[];
}

export function initialUserState(): UserState {
  return {
    version: 1,
    newest: 0,
    profile: emptyProfile(),
    sessions: [],
    sweptAt: 0,
    failures: emptyFailures(),
    targeted: [],
    targetFlags: {},
  };
}

/**
 * Scores one event of an account (any type with a userId; others are ignored) and learns from it.
 * Pure and deterministic in event time. For speed it mutates and returns `state`, and updates
 * `population` (the caller's per-partition object) in place: clone first to keep an old value.
 */
export function observeUser(
  state: UserState | undefined,
  population: PopulationState,
  obs: Observation,
  config: DetectionConfig = defaultDetectionConfig,
): UserStep {
  const user = state ?? initialUserState();
  const event = obs.event;
  const userId = event.userId;
  if (userId === undefined) return { state: user, flags: [] };
  // Late within the tolerance: scored and learned, but history pointers never move back.
  // Later than that: scored only, so a delayed replay cannot rewrite what the profile learned since.
  const late = obs.at < user.newest - config.lateToleranceMs;
  if (obs.at > user.newest) user.newest = obs.at;
  let update: FlagUpdate | null;
  switch (event.type) {
    case "login.succeeded":
      update = login(user, population, userId, event.sessionId, obs, late, config);
      break;
    case "login.failed":
      update = bruteForceFailure(user.failures, userId, obs, user.profile, config);
      break;
    default:
      update = activity(user, population, userId, event, obs, config);
  }
  return { state: user, flags: update === null ? [] : [update] };
}

/** A settings change, content action or session end: each may add a reason to its session. */
function activity(
  user: UserState,
  population: PopulationState,
  userId: string,
  event: Exclude<Observation["event"], { type: "login.succeeded" | "login.failed" }>,
  obs: Observation,
  config: DetectionConfig,
): FlagUpdate | null {
  const session = sessionOf(user, event.sessionId, obs.at);
  const before = fingerprint(session.flag);
  touch(session.flag, obs.at);
  let reason: ScoredReason | null = null;
  if (event.type === "settings.changed") reason = sensitiveChange(event, config);
  else if (event.type === "content.deleted") {
    reason = massAction(session.deleted, "deleted", obs.at, event.contentType, event.count, config);
  } else if (event.type === "content.modified") {
    reason = massAction(session.modified, "modified", obs.at, event.contentType, event.count, config);
  } else session.ended = true;
  if (reason !== null) {
    addReason(session.flag, reason);
    escalate(session, reason.code, config);
  }
  const update = settle(session.flag, userId, config, before);
  afterChange(user, population, session, config);
  return update;
}

function login(
  user: UserState,
  population: PopulationState,
  userId: string,
  sessionId: string,
  obs: Observation,
  late: boolean,
  config: DetectionConfig,
): FlagUpdate | null {
  // Sweeping every login would cost more than the rest of the scoring: once per sweep interval,
  // or as soon as the account holds more sessions than the bound.
  if (obs.at - user.sweptAt >= config.session.sweepMs || user.sessions.length >= config.session.maxSessions) {
    const { kept, gone } = expireSessions(user.sessions, obs.at, config);
    user.sessions = kept;
    for (const session of gone) {
      if (session.learned === "deferred" && session.flag.score < config.severity.high) {
        learnLogin(user, population, session, config);
      }
    }
    user.sweptAt = Math.max(user.sweptAt, obs.at);
  }
  if (user.targeted.length > 0) {
    user.targeted = user.targeted.filter((t) => obs.at - t.at <= config.source.verdictTtlMs);
  }
  const session = sessionOf(user, sessionId, obs.at);
  const flag = session.flag;
  const before = fingerprint(flag);
  const keys = loginKeys(obs);
  const statuses = assess(user.profile, keys);
  const place = obs.nonPublic ? null : obs.place;
  const reasons = novelty(user.profile, population, statuses, obs.at, config).reasons;
  const travel = impossibleTravel(user.profile.places, place, obs.at, config);
  if (travel !== null) reasons.push(travel);
  const brute = bruteForceSuccess(user.failures, obs, user.profile, statuses, config);
  if (brute !== null) reasons.push(brute);
  const verdict = user.targeted.find(
    (t) => t.network === obs.network && t.at <= obs.at + config.lateToleranceMs,
  );
  session.familiar = familiar(statuses);
  if (verdict !== undefined) reasons.push(sourceReason(verdict, session.familiar, config));

  session.startedAt = obs.at;
  session.network = obs.network;
  session.keys = keys;
  if (place !== null) {
    const { lat, lon, accuracyKm, country, city } = place;
    session.place = { lat, lon, accuracyKm, country, city };
  }
  if (flag.location === null) flag.location = locationOf(place);
  touch(flag, obs.at);
  for (const reason of reasons) {
    addReason(flag, reason);
    session.login += reason.points;
    if (!session.loginReasons.includes(reason.code)) session.loginReasons.push(reason.code);
  }
  // Activity that arrived before its (late) login is judged again now that the login's risk is known.
  for (const code of session.activity) escalate(session, code, config);
  const update = settle(flag, userId, config, before);

  const cut = config.severity;
  if (!late && session.learned === false) {
    if (flag.score < cut.medium) learnLogin(user, population, session, config, statuses);
    else if (flag.score < cut.high) session.learned = "deferred";
  }
  return update;
}

/** The session's record, created on first sight (its login may be late, or older than the state). */
export function sessionOf(user: UserState, sessionId: string, at: number): SessionRisk {
  const sessions = user.sessions;
  for (let i = sessions.length - 1; i >= 0; i--) {
    const session = sessions[i] as SessionRisk;
    if (session.id === sessionId) return session;
  }
  const session = newSession(sessionId, at);
  sessions.push(session);
  return session;
}
