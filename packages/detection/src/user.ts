import { massAction, sensitiveChange } from "./activity.ts";
import { bruteForceFailure, bruteForceSuccess } from "./bruteForce.ts";
import { type DetectionConfig, defaultDetectionConfig } from "./config.ts";
import {
  addReason,
  type FlagUpdate,
  fingerprint,
  noteMalformed,
  type ScoredReason,
  settle,
  touch,
} from "./flag.ts";
import { adoptContext, carriesContext, contextChange, unknownSessionRisk } from "./integrity.ts";
import { afterChange, copyOf, familiar, learnLogin } from "./learning.ts";
import {
  type AccountMemory,
  accountVolume,
  emptyMemory,
  groomedBy,
  inheritedRisk,
  rememberedRisk,
  rememberIfRisky,
  rememberRisk,
  settleRisk,
  youngVolume,
} from "./memory.ts";
import { novelty } from "./novelty.ts";
import type { Observation } from "./observation.ts";
import type { PopulationState } from "./population.ts";
import {
  asnKnown,
  assess,
  type LevelStatus,
  type LoginKeys,
  loginKeys,
  sightPair,
  youngContext,
  youngNetwork,
} from "./profile.ts";
import { escalate, expireSessions, newSession, type SessionRisk, serious } from "./session.ts";
import { impossibleTravel } from "./travel.ts";
import { initialUserState, type UserState, type UserStep } from "./userState.ts";
import { pendingFor, prunePending, sourceReason } from "./verdicts.ts";
import { duration, locationOf, placeLabel } from "./wording.ts";

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
  if (user.targeted.length > 0) user.targeted = prunePending(user.targeted, user.newest, config);
  let update: FlagUpdate | null;
  const also: FlagUpdate[] = [];
  const scoring: Scoring = { user, population, userId, obs, late, config };
  switch (event.type) {
    case "login.succeeded":
      update = login(scoring, event.sessionId);
      break;
    case "login.failed":
      update = bruteForceFailure(user.failures, userId, obs, user.profile, config);
      break;
    default:
      update = activity(scoring, event, also);
  }
  if (update !== null) also.unshift(update);
  return { state: user, flags: also };
}

/** One event of an account being scored. */
interface Scoring {
  user: UserState;
  /** The partition's population, updated in place. */
  population: PopulationState;
  userId: string;
  obs: Observation;
  /** Older than the account's newest event by more than the tolerance: scored, not learned from. */
  late: boolean;
  config: DetectionConfig;
}

/** A settings change, content action or session end: each may add a reason to its session. */
function activity(
  { user, population, userId, obs, config }: Scoring,
  event: Exclude<Observation["event"], { type: "login.succeeded" | "login.failed" }>,
  also: FlagUpdate[],
): FlagUpdate | null {
  const memory = memoryOf(user);
  let session = findSession(user, event.sessionId);
  if (session === undefined) {
    // Events can invent sessions without a login: the bound holds for them too.
    const max = config.session.maxSessions;
    if (user.sessions.length >= max) sweep(user, population, obs.at, config, max - 1);
    session = newSession(event.sessionId, obs.at);
    session.unknown = true;
    user.sessions.push(session);
    const remembered = rememberedRisk(memory, event.sessionId, obs.at, config);
    if (remembered !== null) {
      session.login = Math.round(remembered.risk);
      session.inherited = remembered.why;
    }
  }
  const before = fingerprint(session.flag);
  touch(session.flag, obs.at);
  if (carriesContext(obs)) {
    integrity(user, population, session, obs, config);
    const copy = copyOf(user, session, obs, config);
    if (copy !== null) {
      const copyBefore = fingerprint(copy.flag);
      for (const code of copy.activity) escalate(copy, code, config, copy.additive?.includes(code));
      rememberRisk(memory, copy, obs.at, config);
      const changed = settle(copy.flag, userId, config, copyBefore);
      if (changed !== null) also.push(changed);
    }
  }
  let reason: ScoredReason | null = null;
  let additive = false;
  // Handing the account over, or wiping it slowly, from a context the account has not had long.
  let fromYoung = false;
  if (event.type === "settings.changed") {
    const change = sensitiveChange(event, config);
    if (change !== null) ({ reason, additive } = change);
    fromYoung = session.young != null && handsOver(event, session.newDevice === true);
  } else if (event.type === "content.deleted" || event.type === "content.modified") {
    const kind = event.type === "content.deleted" ? "deleted" : "modified";
    const actions = kind === "deleted" ? session.deleted : session.modified;
    const weight = event.count * config.activity.itemWeights[event.contentType];
    const inSession = massAction(actions, kind, obs.at, event.contentType, event.count, config);
    const acrossSessions = accountVolume(memory, kind, obs.at, weight, config);
    // Edits are everyday use; only deletions from young networks add up to a slow wipe.
    // A phone's carrier hands out new /24s all the time; a laptop or a new device on one is a new line.
    const wiping = session.youngNetwork === true && (session.young != null || session.mobile !== true);
    const young = wiping && kind === "deleted" ? youngVolume(memory, kind, obs.at, weight, config) : null;
    reason = inSession ?? acrossSessions ?? young;
    fromYoung = young !== null;
  } else session.ended = true;
  if (fromYoung && session.login < config.activity.riskyLoginScore && session.status === "open") {
    session.login = config.activity.riskyLoginScore;
    session.inherited = youngWhy(user, session, obs.at, config);
  }
  if (reason !== null) {
    // Securing the account from where the owner is counts for little, and once a session: owners
    // do it every day, and a new device is secured with a new password, MFA and a recovery phone at once.
    if (additive && !serious(session, config)) {
      const again = (session.additive?.length ?? 0) > 0;
      reason = { ...reason, points: again ? 0 : config.activity.points.additive };
    }
    addReason(session.flag, noteMalformed(reason, obs.malformed));
    escalate(session, reason.code, config, additive);
  }
  const update = settle(session.flag, userId, config, before);
  afterChange(user, population, session, config);
  return update;
}

/**
 * Holds an in-session event's context against its session's: a stolen cookie used elsewhere, or
 * a session Vigil never saw begin. Either makes the session risky for what it does next.
 */
function integrity(
  user: UserState,
  population: PopulationState,
  session: SessionRisk,
  obs: Observation,
  config: DetectionConfig,
): void {
  let found: ScoredReason | null = null;
  if (session.keys === null) {
    if (session.unknown !== true) {
      adoptContext(session, obs);
      return;
    }
    found = unknownSessionRisk(session, user.profile, population, obs, config);
    session.young = youngOf(user, session.keys, session.asn, obs.at, config);
    if (found !== null && found.points >= config.integrity.newCountryPoints) session.hijacked = "strong";
  } else {
    found = contextChange(session, user.profile, obs, config);
    if (found !== null) {
      const strength = found.details?.strength === "strong" ? "strong" : "weak";
      if (session.hijacked !== "strong") session.hijacked = strength;
    }
  }
  if (found === null) return;
  // The first move is the one to tell; a later, stronger one replaces it.
  const known = session.flag.reasons.find((r) => r.code === "session_context_changed");
  if (known === undefined || found.points > known.points) addReason(session.flag, found);
  if (!session.loginReasons.includes("session_context_changed")) {
    session.loginReasons.push("session_context_changed");
    session.login += found.points;
  }
  // Only a strong move is worth carrying to the next session from that context (the intruder's).
  if (session.hijacked === "strong") {
    if (session.unknown !== true && session.intruder == null) {
      const place = obs.nonPublic ? null : obs.place;
      session.intruder = {
        country: place?.country ?? null,
        label: place === null ? "an unknown place" : placeLabel(place),
        asn: obs.asn?.number ?? null,
        network: obs.network,
      };
    }
    rememberRisk(user.memory as AccountMemory, session, obs.at, config);
  }
  // Changes made before the move are judged again: the session is no longer the owner's.
  for (const code of session.activity) escalate(session, code, config, session.additive?.includes(code));
}

/**
 * Forgets expired sessions and keeps the bound; a deferred login is learned once its session has
 * been quiet for the session lifetime without turning high (flagged ones are kept longer, but
 * their learning does not wait for that).
 */
function sweep(
  user: UserState,
  population: PopulationState,
  at: number,
  config: DetectionConfig,
  max = config.session.maxSessions,
): void {
  const { kept, gone } = expireSessions(user.sessions, at, config, max);
  user.sessions = kept;
  for (const session of kept) {
    if (session.learned === "deferred") settleDeferred(user, population, session, at, config);
  }
  for (const session of gone) {
    // Pushed out by the bound before its time is up: forgotten, not learned (events can invent sessions).
    if (session.learned === "deferred") settleDeferred(user, population, session, at, config);
  }
  user.sweptAt = Math.max(user.sweptAt, at);
}

/**
 * A deferred login is learned once its session has done no harm and been quiet long enough: the
 * session lifetime for a login below high, longer for one that scored high by itself. A session
 * that escalated, moved mid-way or was resolved compromised never teaches the profile.
 */
function settleDeferred(
  user: UserState,
  population: PopulationState,
  session: SessionRisk,
  at: number,
  config: DetectionConfig,
): void {
  const harmed =
    session.status === "compromised" ||
    session.hijacked != null ||
    session.flag.reasons.some((r) => r.code === "risky_session_activity");
  if (harmed) {
    session.learned = "withdrawn";
    return;
  }
  const high = session.flag.score >= config.severity.high;
  const quiet = at - session.flag.lastAt;
  if (quiet >= (high ? config.session.quietHighMs : config.session.ttlMs)) {
    learnLogin(user, population, session, config);
    settleRisk(user.memory, session.id);
  }
}

function login(
  { user, population, userId, obs, late, config }: Scoring,
  sessionId: string,
): FlagUpdate | null {
  // Sweeping every login would cost more than the rest of the scoring: once per sweep interval,
  // or as soon as the account holds more sessions than the bound.
  const max = config.session.maxSessions;
  let known = findSession(user, sessionId);
  if (obs.at - user.sweptAt >= config.session.sweepMs || user.sessions.length >= max) {
    // Room for the login's session when it is a new one.
    sweep(user, population, obs.at, config, known === undefined ? max - 1 : max);
    // The sweep may have forgotten it (past its time, or beyond the bound).
    if (known !== undefined && !user.sessions.includes(known)) known = undefined;
  }
  const memory = memoryOf(user);
  const session = known ?? openSession(user, sessionId, obs.at);
  const flag = session.flag;
  const before = fingerprint(flag);
  const keys = loginKeys(obs);
  const statuses = assess(user.profile, keys);
  const place = obs.nonPublic ? null : obs.place;
  const asn = obs.asn?.number ?? null;
  const asnSeen = asnKnown(user.profile, asn);
  const seenDevice = deviceSeen(statuses);
  const reasons = novelty(user.profile, population, statuses, obs.at, config, asnSeen).reasons;
  session.familiar = familiar(statuses);
  const travel = impossibleTravel(user.profile, place, obs.at, config, {
    asn,
    ownCarrier: session.familiar || (asnSeen && seenDevice && countrySeen(statuses)),
    knownDevice: seenDevice,
  });
  session.pair = travel?.pair ?? null;
  if (travel !== null && travel.reason !== null && !late) sightPair(user.profile, travel.pair, obs.at);
  if (travel !== null && travel.reason !== null) reasons.push(travel.reason);
  const brute = bruteForceSuccess(user.failures, obs, user.profile, statuses, config);
  if (brute !== null) reasons.push(brute);
  for (const verdict of pendingFor(user.targeted, obs, config))
    reasons.push(sourceReason(verdict, session.familiar, config));

  session.startedAt = obs.at;
  session.unknown = false;
  adoptContext(session, obs, keys);
  session.young = youngOf(user, keys, asn, obs.at, config);
  session.newDevice = !seenDevice;
  // The /24 or /48 itself, whatever its autonomous system: a rented home line on the owner's ISP.
  session.youngNetwork =
    session.young === "network" || youngNetwork(user.profile, keys.network, obs.at, config.integrity.youngMs);
  if (flag.location === null) flag.location = locationOf(place);
  touch(flag, obs.at);
  for (const reason of reasons) {
    addReason(flag, noteMalformed(reason, obs.malformed));
    session.login += reason.points;
    if (!session.loginReasons.includes(reason.code)) session.loginReasons.push(reason.code);
  }
  // A second session from where a suspicious one came from carries its risk (laundering).
  const inherited = inheritedRisk(memory, user.profile, sessionId, obs, config);
  if (inherited !== null && inherited.risk > session.login) {
    session.login = Math.round(inherited.risk);
    session.inherited = inherited.why;
  }
  rememberIfRisky(memory, session, obs.at, config);
  // Activity that arrived before its (late) login is judged again now that the login's risk is known.
  for (const code of session.activity) escalate(session, code, config, session.additive?.includes(code));
  const update = settle(flag, userId, config, before);

  // What a risky login shows is learned only once its session has ended quietly and hours passed.
  if (!late && session.learned === false) {
    if (session.login < config.activity.riskyLoginScore && session.inherited == null)
      learnLogin(user, population, session, config, statuses);
    else session.learned = "deferred";
  }
  return update;
}

/** Changes that take the account from its owner: the address resets go to, the second factor, or a key of its own. */
function handsOver(
  event: Extract<Observation["event"], { type: "settings.changed" }>,
  newDevice: boolean,
): boolean {
  const action = event.action ?? "updated";
  switch (event.setting) {
    case "email":
      return true;
    case "mfa":
      return action === "disabled" || action === "removed";
    case "recovery_email":
      // Owners fix their recovery address from their own devices; one never seen has no business there.
      return action === "removed" || (newDevice && action !== "added");
    case "recovery_phone":
      return action === "removed";
    case "api_token":
      // A token outlives a new password: minted from a device never seen, it is the intruder's way back in.
      return newDevice && action !== "removed" && action !== "disabled";
    default:
      return false;
  }
}

/**
 * What in the session's context the account has not had for long: its network or device (see
 * `youngContext`), or a network that came to the account in a suspicious session the owner never
 * vouched for, however familiar its quiet visits since have made it.
 */
function youngOf(
  user: UserState,
  keys: LoginKeys | null,
  asn: number | null | undefined,
  at: number,
  config: DetectionConfig,
): SessionRisk["young"] {
  const young = youngContext(user.profile, keys, asn, at, config.integrity.youngMs);
  if (young !== null) return young;
  return groomedBy(user.memory, user.profile, keys?.network, at, config) === null ? null : "groomed";
}

/** Why a young context makes what the session hands over suspicious, in words. */
function youngWhy(user: UserState, session: SessionRisk, at: number, config: DetectionConfig): string {
  if (session.young === "device") return "a device new to the account";
  const by =
    session.young === "groomed" ? groomedBy(user.memory, user.profile, session.network, at, config) : null;
  if (by === null) return "a network new to the account";
  return `a network the account first used in a suspicious session from ${by.label} ${duration(at - by.at)} earlier (${by.why})`;
}

function deviceSeen(statuses: readonly LevelStatus[]): boolean {
  let family = false;
  for (const status of statuses) {
    if (status.level === "deviceId") return status.seen;
    if (status.level === "family" && status.seen) family = true;
  }
  return family;
}

function countrySeen(statuses: readonly LevelStatus[]): boolean {
  for (const status of statuses) if (status.level === "country" && status.seen) return true;
  return false;
}

function memoryOf(user: UserState): AccountMemory {
  if (user.memory === undefined) user.memory = emptyMemory();
  return user.memory;
}

function findSession(user: UserState, sessionId: string): SessionRisk | undefined {
  const sessions = user.sessions;
  for (let i = sessions.length - 1; i >= 0; i--) {
    const session = sessions[i] as SessionRisk;
    if (session.id === sessionId) return session;
  }
  return undefined;
}

/** The session's record, created on first sight (its login may be late, or older than the state). */
export function sessionOf(user: UserState, sessionId: string, at: number): SessionRisk {
  return findSession(user, sessionId) ?? openSession(user, sessionId, at);
}

/** A new session's record, added to the account's. */
function openSession(user: UserState, sessionId: string, at: number): SessionRisk {
  const session = newSession(sessionId, at);
  user.sessions.push(session);
  return session;
}
