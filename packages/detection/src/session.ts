import type { ReasonCode } from "@vigil/events";
import type { ContentActions } from "./activity.ts";
import type { DetectionConfig } from "./config.ts";
import { addReason, type FlagRecord, newFlag, raiseFloor } from "./flag.ts";
import type { LoginKeys, ReferencePlace } from "./profile.ts";
import { listing } from "./wording.ts";

/** What the engine remembers of one session: its flag (raised or not) and the risk it carries. */
export interface SessionRisk {
  id: string;
  flag: FlagRecord;
  startedAt: number;
  network: string | null;
  /** Where the login came from, for impossible travel once the login is learned. */
  place: Omit<ReferencePlace, "at" | "sessionId"> | null;
  /** The login came from the account's usual network and device. */
  familiar: boolean;
  /** The login's feature values, so feedback can trust or mark them later. */
  keys: LoginKeys | null;
  /**
   * Whether the login has taught the profile: "deferred" while a risky session has not yet been quiet long enough,
   * "withdrawn" when its session turned out risky after it was learned.
   */
  learned: boolean | "deferred" | "withdrawn";
  /** Score of the login itself, raised by source verdicts: the risk the session's activity inherits. */
  login: number;
  loginReasons: ReasonCode[];
  /** Sensitive changes and mass actions seen in the session, in order. */
  activity: ReasonCode[];
  deleted: ContentActions;
  modified: ContentActions;
  ended: boolean;
  /** "legitimate" and "compromised" are verdicts (an analyst's, or the owner's "not me"). */
  status: "open" | "legitimate" | "compromised";
  /** The owner answered "it was me" (which anyone holding the session could also say). */
  vouched?: boolean;
  /** Autonomous system number of the login's address (null when unknown). */
  asn?: number | null;
  asnOrg?: string | null;
  /** Vigil never saw the session's login: its context is the first one its events showed. */
  unknown?: boolean;
  /**
   * The session's network, country or device changed after its login: "strong" when the change is
   * one its owner's device could not make (another device, country or an impossible speed).
   */
  hijacked?: "strong" | "weak" | null;
  /** Why the account's recent risk makes this session risky too, for escalation's sentence. */
  inherited?: string | null;
  /** Codes whose every occurrence in the session was additive (securing the account, not taking it). */
  additive?: ReasonCode[];
  /** The login's device was a phone or tablet: its carrier address may geolocate at home while it roams. */
  mobile?: boolean;
  /** The login's /24 or /48 itself is young, whatever its autonomous system. */
  youngNetwork?: boolean;
  /** The login's device (its id, else its browser family) was never seen on the account. */
  newDevice?: boolean;
  /**
   * Its network or device id is new to the account or first learned less than `youngMs` ago; or
   * its network came to the account in a suspicious session the owner never vouched for (`groomed`).
   */
  young?: "network" | "device" | "groomed" | null;
  /** Where a hijacked session moved to: the context its risk is remembered by. */
  intruder?: { country: string | null; label: string; asn: number | null; network: string | null } | null;
  /** The session is a copy of a device in use elsewhere at the same time. */
  copied?: boolean;
  /** The place pair of the login's impossible travel, learned as the user's own once the session ends quietly. */
  pair?: string | null;
}

export function newSession(sessionId: string, at: number): SessionRisk {
  return {
    id: sessionId,
    // Named when raised: hashing an id for every session would cost more than scoring it.
    flag: newFlag("", sessionId, at, null),
    startedAt: at,
    network: null,
    place: null,
    familiar: false,
    keys: null,
    learned: false,
    login: 0,
    loginReasons: [],
    activity: [],
    deleted: [],
    modified: [],
    ended: false,
    status: "open",
  };
}

const ACTIVITY_WORDS: Partial<Record<ReasonCode, string>> = {
  email_changed: "email changed",
  password_changed: "password changed",
  mfa_disabled: "two-factor authentication turned off",
  mfa_changed: "two-factor method added",
  recovery_changed: "recovery contact changed",
  api_token_changed: "access token created",
  username_changed: "username changed",
  privacy_changed: "privacy settings changed",
  mass_deletion: "mass deletion",
  mass_modification: "mass modification",
};

/** The session is risky beyond doubt: a medium-risk login, new place and device at once, a strong mid-session move, or inherited risk. */
export function serious(session: SessionRisk, config: DetectionConfig): boolean {
  return session.login >= config.severity.medium || beyondPlace(session);
}

/**
 * Risk that is not only where the owner is (a trip or a VPN exit, which score medium or high by
 * place alone): someone else's device in a new place, a session moved mid-way, or a place a
 * suspicious session came from. Privacy settings escalate only then: owners change them anywhere.
 */
function beyondPlace(session: SessionRisk): boolean {
  const reasons = session.loginReasons;
  const newPlaceAndDevice =
    reasons.includes("new_device") && (reasons.includes("new_country") || reasons.includes("new_region"));
  return session.hijacked === "strong" || session.inherited != null || newPlaceAndDevice;
}

const SOFT: readonly ReasonCode[] = ["privacy_changed"];

function loginWords(session: SessionRisk, code: ReasonCode): string {
  if (code !== "session_context_changed") return code.replaceAll("_", " ");
  return session.unknown === true
    ? "a session Vigil never saw begin, used from elsewhere"
    : "session moved to another place or device";
}

/**
 * A sensitive change or destructive action in a session whose login was already risky is how a
 * takeover reads in the event stream: the first one lifts the flag to high, a second to critical.
 * Additive changes (a new password, MFA or recovery contact added) are what owners do to secure an
 * account: they escalate only after a medium-risk login or a strong change of context mid-session.
 */
export function escalate(
  session: SessionRisk,
  code: ReasonCode,
  config: DetectionConfig,
  additive = false,
): void {
  if (!session.activity.includes(code)) {
    session.activity.push(code);
    if (additive) session.additive = [...(session.additive ?? []), code];
  } else if (!additive && session.additive?.includes(code)) {
    session.additive = session.additive.filter((c) => c !== code);
  }
  const settings = config.activity;
  if (session.status === "legitimate" || session.login < settings.riskyLoginScore) return;
  const strong = beyondPlace(session);
  const counted = serious(session, config)
    ? session.activity.filter((c) => strong || !SOFT.includes(c))
    : session.activity.filter((c) => session.additive?.includes(c) !== true);
  if (counted.length === 0) return;
  const done = counted.map((c) => ACTIVITY_WORDS[c] ?? c);
  const why = session.loginReasons.map((c) => loginWords(session, c));
  if (session.inherited != null) why.push(session.inherited);
  const text = listing(done, "change", 4);
  addReason(session.flag, {
    code: "risky_session_activity",
    points: settings.riskyPoints * counted.length,
    message: `${text[0]?.toUpperCase()}${text.slice(1)} in a session whose login was already suspicious (${why.join(", ") || "risky login"})`,
    details: {
      activity: [...counted],
      loginScore: session.login,
      loginReasons: [...session.loginReasons],
      ...(session.inherited == null ? {} : { inherited: session.inherited }),
    },
  });
  raiseFloor(session.flag, counted.length >= 2 ? settings.riskyCriticalFloor : settings.riskyFloor);
}

/**
 * Splits the sessions into those kept and those past their time (flagged ones are kept longer for
 * feedback), then drops the oldest beyond the bound (`max`, less to make room). The forgotten ones are returned so that
 * deferred learning can still happen.
 */
export function expireSessions(
  sessions: readonly SessionRisk[],
  at: number,
  config: DetectionConfig,
  max = config.session.maxSessions,
): { kept: SessionRisk[]; gone: SessionRisk[] } {
  // Most sweeps find nothing to do: answer those without copying.
  if (sessions.length <= max && !anyExpired(sessions, at, config)) {
    return { kept: sessions as SessionRisk[], gone: [] };
  }
  const kept: SessionRisk[] = [];
  const gone: SessionRisk[] = [];
  for (const session of sessions) (expired(session, at, config) ? gone : kept).push(session);
  if (kept.length > max) {
    kept.sort((a, b) => rank(a) - rank(b));
    gone.push(...kept.splice(0, kept.length - max));
  }
  return { kept, gone };
}

/** Past its time: the session lifetime after its last event, longer for a flagged one. */
function expired(session: SessionRisk, at: number, config: DetectionConfig): boolean {
  const settings = config.session;
  return session.flag.lastAt < at - (session.flag.severity === null ? settings.ttlMs : settings.flaggedTtlMs);
}

// A loop, not `some` with a closure: every sweep asks.
function anyExpired(sessions: readonly SessionRisk[], at: number, config: DetectionConfig): boolean {
  for (const session of sessions) if (expired(session, at, config)) return true;
  return false;
}

// Unflagged sessions go first, then the least recently active.
function rank(session: SessionRisk): number {
  return (session.flag.severity === null ? 0 : 1e15) + session.flag.lastAt;
}
