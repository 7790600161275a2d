import type { FlagUpdate } from "@vigil/detection";
import type { Severity } from "@vigil/events";
import { severityRank } from "@vigil/events";
import type { LabelledEvent } from "../types.ts";

// Pure arithmetic of the quality report: from the labelled events and every flag update the engine
// produced, how many attack sessions were caught, how many benign ones were flagged, how fast.

/** One row of the report: a scenario's sessions (attack and benign kept apart). */
export interface ScenarioQuality {
  scenario: string;
  attackSessions: number;
  /** Attack sessions whose flag reached high or critical. */
  caught: number;
  recall: number | null;
  benignSessions: number;
  /** Benign sessions with a flag of any severity (low included: analyst noise, no notice). */
  benignFlagged: number;
  benignMedium: number;
  benignHigh: number;
  /** Events of the attack session up to and including the one that lifted its flag to high. */
  eventsToHigh: { median: number; p95: number; max: number } | null;
}

export interface QualityReport {
  scenarios: ScenarioQuality[];
  overall: ScenarioQuality;
  /** Flags at high or above about benign sessions: each would be a notice to a user who did nothing wrong. */
  benignNotices: number;
  /** Flags not about one session (brute force, targets of spray or stuffing), by code and severity. */
  sessionless: Record<string, Partial<Record<Severity, number>>>;
}

interface SessionTruth {
  scenario: string;
  attack: boolean;
  maxRank: number;
  eventsToHigh: number | null;
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
    if (!sessions.has(key))
      sessions.set(key, { scenario: label.scenario, attack: label.attack, maxRank: -1, eventsToHigh: null });
  }
  const sessionless: QualityReport["sessionless"] = {};
  for (const update of updates) {
    if (update.sessionId === null) {
      const code = update.reasons[0]?.code ?? "none";
      const bySeverity = sessionless[code] ?? {};
      sessionless[code] = bySeverity;
      if (update.created) bySeverity[update.severity] = (bySeverity[update.severity] ?? 0) + 1;
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
  return { scenarios, overall, benignNotices: overall.benignHigh, sessionless };
}

function quality(scenario: string, truths: readonly SessionTruth[]): ScenarioQuality {
  const attacks = truths.filter((t) => t.attack);
  const benign = truths.filter((t) => !t.attack);
  const caught = attacks.filter((t) => t.maxRank >= HIGH);
  const times = caught.map((t) => t.eventsToHigh ?? 0).sort((a, b) => a - b);
  return {
    scenario,
    attackSessions: attacks.length,
    caught: caught.length,
    recall: attacks.length === 0 ? null : caught.length / attacks.length,
    benignSessions: benign.length,
    benignFlagged: benign.filter((t) => t.maxRank >= 0).length,
    benignMedium: benign.filter((t) => t.maxRank >= MEDIUM).length,
    benignHigh: benign.filter((t) => t.maxRank >= HIGH).length,
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
