import { createHash } from "node:crypto";
import type { Location, Reason, ReasonCode, Severity } from "@vigil/events";
import { type DetectionConfig, severityForScore } from "./config.ts";

/** A reason with the points it adds to its flag's score. */
export interface ScoredReason {
  code: ReasonCode;
  message: string;
  details?: Record<string, unknown>;
  points: number;
}

/** A flag as the engine keeps it between events (plain data inside the user state). */
export interface FlagRecord {
  /** Empty until the flag is raised (session flags are named then, from user and session). */
  id: string;
  sessionId: string | null;
  score: number;
  /** Null until the flag is raised (score at the low cut-off with at least one reason). */
  severity: Severity | null;
  reasons: ScoredReason[];
  /** Lowest score the flag may have whatever its points (risky session activity sets it). */
  floor: number;
  firstAt: number;
  lastAt: number;
  count: number;
  location: Location | null;
}

/** A flag as it is created or changes: what the service stores and publishes. */
export interface FlagUpdate {
  id: string;
  userId: string;
  sessionId: string | null;
  severity: Severity;
  score: number;
  reasons: Reason[];
  location: Location | null;
  firstEventAt: string;
  lastEventAt: string;
  eventCount: number;
  /** First time this flag is raised. */
  created: boolean;
}

/** Stable id from what the flag is about: replaying the same events names the same flag. */
export function flagId(...parts: readonly (string | number)[]): string {
  return `f_${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 20)}`;
}

export function newFlag(
  id: string,
  sessionId: string | null,
  at: number,
  location: Location | null,
): FlagRecord {
  return {
    id,
    sessionId,
    score: 0,
    severity: null,
    reasons: [],
    floor: 0,
    firstAt: at,
    lastAt: at,
    count: 0,
    location,
  };
}

/** Records one more event of the flag's subject. */
export function touch(flag: FlagRecord, at: number): void {
  flag.count += 1;
  if (at > flag.lastAt) flag.lastAt = at;
  if (at < flag.firstAt) flag.firstAt = at;
}

/**
 * The reason, noting in its details the client fields of the event that arrived malformed: a
 * client that sends an oversized or garbled User-Agent or device id is itself worth a look.
 */
export function noteMalformed(reason: ScoredReason, malformed: readonly string[] | undefined): ScoredReason {
  if (malformed === undefined || malformed.length === 0) return reason;
  return { ...reason, details: { ...reason.details, malformedClientData: [...malformed] } };
}

/** Adds or strengthens a reason; a code appears once, keeping its strongest, latest explanation. */
export function addReason(flag: FlagRecord, reason: ScoredReason): void {
  const index = flag.reasons.findIndex((known) => known.code === reason.code);
  if (index < 0) flag.reasons.push(reason);
  else if (reason.points >= (flag.reasons[index] as ScoredReason).points) flag.reasons[index] = reason;
}

export function raiseFloor(flag: FlagRecord, floor: number): void {
  if (floor > flag.floor) flag.floor = floor;
}

/**
 * Recomputes score and severity (the score only rises) and tells the service when something it
 * stores changed: a new or changed reason, score, or simply one more event of a raised flag.
 */
export function settle(
  flag: FlagRecord,
  userId: string,
  config: DetectionConfig,
  before: string,
): FlagUpdate | null {
  let points = 0;
  for (const reason of flag.reasons) points += reason.points;
  flag.score = Math.min(100, Math.max(flag.score, points, flag.floor));
  if (flag.reasons.length === 0 || flag.score < config.severity.low) return null;
  flag.reasons.sort(importance);
  const created = flag.severity === null;
  if (flag.id === "") flag.id = flagId(userId, flag.sessionId ?? "");
  flag.severity = severityForScore(flag.score, config);
  if (!created && fingerprint(flag) === before) return null;
  return {
    id: flag.id,
    userId,
    sessionId: flag.sessionId,
    severity: flag.severity,
    score: flag.score,
    reasons: flag.reasons.map(publicReason),
    location: flag.location,
    firstEventAt: new Date(flag.firstAt).toISOString(),
    lastEventAt: new Date(flag.lastAt).toISOString(),
    eventCount: flag.count,
    created,
  };
}

/** What settle compares to decide whether a raised flag changed (cheap for the many unraised ones). */
export function fingerprint(flag: FlagRecord): string {
  if (flag.severity === null) return "";
  let text = `${flag.score}|${flag.count}|${flag.lastAt}|${flag.firstAt}`;
  for (const reason of flag.reasons) text += `|${reason.code}:${reason.points}:${reason.message}`;
  return text;
}

// Escalation explains the rest, so it leads; then the strongest evidence.
function importance(a: ScoredReason, b: ScoredReason): number {
  const lead = Number(b.code === "risky_session_activity") - Number(a.code === "risky_session_activity");
  return lead || b.points - a.points || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

function publicReason(reason: ScoredReason): Reason {
  return {
    code: reason.code,
    message: reason.message,
    details: { ...reason.details, points: reason.points },
  };
}
