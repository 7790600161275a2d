import type { FlagUpdate } from "@vigil/detection";
import type { Severity } from "@vigil/events";
import { severityRank } from "@vigil/events";
import type { LabelledEvent } from "../types.ts";

// Pure arithmetic of the quality report: from the labelled events and every flag update the engine
// produced, how many attack sessions were caught, how many benign ones were flagged, how fast.

/**
 * One row of the report: a scenario's attacks and sessions (attack and benign kept apart). An attack
 * is one attacker against one account (`actor` × `userId`), however many sessions it took: it is
 * caught when any of its sessions' flags reaches high. A session is an attack session when any of
 * its events is the attacker's (a stolen cookie replayed inside the owner's session included).
 */
export interface ScenarioQuality {
  scenario: string;
  /** Attacks (attacker × account) with at least one session. */
  attacks: number;
  attackSessions: number;
  /** Attacks one of whose sessions' flags reached high or critical. */
  caught: number;
  /** Attacks whose highest flag was medium: seen, but no notice to the owner. */
  onlyMedium: number;
  recall: number | null;
  benignSessions: number;
  /** Benign sessions with a flag of any severity (low included: analyst noise, no notice). */
  benignFlagged: number;
  benignMedium: number;
  benignHigh: number;
  /** Benign sessions that show the persona's odd behaviour (labelled `focus`), and how they fared. */
  focusSessions: number;
  focusMedium: number;
  focusHigh: number;
  /**
   * Flags at high+ not about a session (brute force, source verdicts) raised on accounts no attack
   * touched: notices to innocent users as much as a session's flag would be.
   */
  accountNotices: number;
  /** Events of the first caught session up to and including the one that lifted its flag to high. */
  eventsToHigh: { median: number; p95: number; max: number } | null;
}

export interface QualityReport {
  scenarios: ScenarioQuality[];
  overall: ScenarioQuality;
  /**
   * Flags at high or above about benign sessions, and sessionless ones about accounts no attack
   * touched: each would be a notice to a user who did nothing wrong.
   */
  benignNotices: number;
  /** Flags not about one session (brute force, targets of spray or stuffing), by code and severity. */
  sessionless: Record<string, Partial<Record<Severity, number>>>;
}

interface SessionTruth {
  scenario: string;
  attack: boolean;
  focus: boolean;
  /** actor × account of the attacker's events in it; null for benign sessions. */
  incident: string | null;
  maxRank: number;
  eventsToHigh: number | null;
  /** Sessionless flags at high+ about this (never attacked) account, counted on its first session. */
  accountNotices: number;
}

const HIGH = severityRank("high");
const MEDIUM = severityRank("medium");

export function sessionKey(userId: string, sessionId: string): string {
  return `${userId}\u0000${sessionId}`;
}

export function aggregate(labelled: readonly LabelledEvent[], updates: readonly FlagUpdate[]): QualityReport {
  const sessions = new Map<string, SessionTruth>();
  for (const { event, label } of labelled) {
    if (event.userId === undefined || event.sessionId === undefined || event.type === "login.failed")
      continue;
    const key = sessionKey(event.userId, event.sessionId);
    let truth = sessions.get(key);
    if (truth === undefined) {
      truth = {
        scenario: label.scenario,
        attack: false,
        focus: false,
        incident: null,
        maxRank: -1,
        eventsToHigh: null,
        accountNotices: 0,
      };
      sessions.set(key, truth);
    }
    if (label.attack && !truth.attack) {
      truth.attack = true;
      truth.scenario = label.scenario;
      truth.incident = `${label.actor}\u0000${event.userId}`;
    }
    if (label.focus === true) truth.focus = true;
  }
  const attacked = new Set<string>();
  const firstSession = new Map<string, SessionTruth>();
  for (const { event, label } of labelled) {
    if (label.attack && label.userId !== undefined) attacked.add(label.userId);
    if (event.userId !== undefined && event.sessionId !== undefined && !firstSession.has(event.userId)) {
      const truth = sessions.get(sessionKey(event.userId, event.sessionId));
      if (truth !== undefined) firstSession.set(event.userId, truth);
    }
  }
  const sessionless: QualityReport["sessionless"] = {};
  for (const update of updates) {
    if (update.sessionId === null) {
      const code = update.reasons[0]?.code ?? "none";
      const bySeverity = sessionless[code] ?? {};
      sessionless[code] = bySeverity;
      if (update.created) bySeverity[update.severity] = (bySeverity[update.severity] ?? 0) + 1;
      const owner = firstSession.get(update.userId);
      if (update.created && severityRank(update.severity) >= HIGH && !attacked.has(update.userId) && owner)
        owner.accountNotices++;
      continue;
    }
    const truth = sessions.get(sessionKey(update.userId, update.sessionId));
    if (truth === undefined) continue;
    const rank = severityRank(update.severity);
    if (rank >= HIGH && truth.eventsToHigh === null) truth.eventsToHigh = update.eventCount;
    if (rank > truth.maxRank) truth.maxRank = rank;
  }
  const byScenario = new Map<string, SessionTruth[]>();
  for (const truth of sessions.values()) {
    const list = byScenario.get(truth.scenario) ?? [];
    list.push(truth);
    byScenario.set(truth.scenario, list);
  }
  const scenarios = [...byScenario.keys()].sort().map((name) => quality(name, byScenario.get(name) ?? []));
  const overall = quality("overall", [...sessions.values()]);
  return { scenarios, overall, benignNotices: overall.benignHigh + overall.accountNotices, sessionless };
}

/** Attacks as groups of their sessions, each caught or not, with the events to high of the first caught. */
interface Incident {
  caught: boolean;
  maxRank: number;
  eventsToHigh: number | null;
}

function incidents(truths: readonly SessionTruth[]): Incident[] {
  const byIncident = new Map<string, Incident>();
  for (const truth of truths) {
    if (!truth.attack || truth.incident === null) continue;
    const incident = byIncident.get(truth.incident) ?? { caught: false, maxRank: -1, eventsToHigh: null };
    incident.maxRank = Math.max(incident.maxRank, truth.maxRank);
    if (truth.maxRank >= HIGH) {
      incident.caught = true;
      if (incident.eventsToHigh === null) incident.eventsToHigh = truth.eventsToHigh;
    }
    byIncident.set(truth.incident, incident);
  }
  return [...byIncident.values()];
}

function quality(scenario: string, truths: readonly SessionTruth[]): ScenarioQuality {
  const attacks = incidents(truths);
  const benign = truths.filter((t) => !t.attack);
  const focus = benign.filter((t) => t.focus);
  const caught = attacks.filter((t) => t.caught);
  const times = caught.map((t) => t.eventsToHigh ?? 0).sort((a, b) => a - b);
  return {
    scenario,
    attacks: attacks.length,
    attackSessions: truths.filter((t) => t.attack).length,
    caught: caught.length,
    onlyMedium: attacks.filter((t) => t.maxRank === MEDIUM).length,
    recall: attacks.length === 0 ? null : caught.length / attacks.length,
    benignSessions: benign.length,
    benignFlagged: benign.filter((t) => t.maxRank >= 0).length,
    benignMedium: benign.filter((t) => t.maxRank >= MEDIUM).length,
    benignHigh: benign.filter((t) => t.maxRank >= HIGH).length,
    focusSessions: focus.length,
    focusMedium: focus.filter((t) => t.maxRank >= MEDIUM).length,
    focusHigh: focus.filter((t) => t.maxRank >= HIGH).length,
    accountNotices: benign.reduce((n, t) => n + t.accountNotices, 0),
    eventsToHigh:
      times.length === 0
        ? null
        : { median: percentile(times, 0.5), p95: percentile(times, 0.95), max: times.at(-1) as number },
  };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] as number;
}
