import type { AccountEvent } from "@vigil/events";

/** Benign behaviours: every one of them is something a detector must *not* flag as a takeover. */
export const PERSONAS = [
  "home_user",
  "commuter",
  "traveller",
  "new_phone",
  "password_typos",
  "ipv6_rotating",
  "new_user",
  "photo_cleanup",
] as const;
export type PersonaName = (typeof PERSONAS)[number];

/** Attacks: the sessions (and failed attempts) a detector should flag. */
export const ATTACKS = [
  "takeover_abroad",
  "impossible_travel",
  "brute_force",
  "password_spray",
  "credential_stuffing",
  "quiet_takeover",
] as const;
export type AttackName = (typeof ATTACKS)[number];

export type ScenarioName = PersonaName | AttackName;
export const SCENARIOS: readonly ScenarioName[] = [...PERSONAS, ...ATTACKS];

export function isAttack(name: ScenarioName): name is AttackName {
  return (ATTACKS as readonly string[]).includes(name);
}

/**
 * The ground truth of one event. `scenario` is the story the event belongs to; `attack` is true for
 * everything the attacker did (failed attempts included); `actor` is the persona name of a legitimate
 * user or the attacker's id; `userId` is the account concerned (the victim for attacks; absent for
 * attempts on accounts that do not exist); `sessionId` the session the event belongs to, if any.
 */
export interface Label {
  scenario: string;
  attack: boolean;
  actor: string;
  userId?: string;
  sessionId?: string;
}

export interface LabelledEvent {
  event: AccountEvent;
  label: Label;
}

export interface PopulationOptions {
  seed: number;
  users: number;
  days: number;
  /** ISO timestamp of the window's start; default DEFAULT_START. */
  start?: string;
  /** Share of users whose account is taken over (default 0.05); 0 gives benign traffic only. */
  attackRate?: number;
}

export interface ScenarioOptions {
  seed: number;
  start?: string;
  userId?: string;
}

export const DEFAULT_START = "2026-11-01T00:00:00Z";
export const DEFAULT_ATTACK_RATE = 0.05;
