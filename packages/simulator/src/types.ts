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
  "vpn_user",
  "roaming_traveller",
  "carrier_hopper",
  "forgot_password",
  "new_phone_secured",
  "big_cleanup",
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
  "cookie_replay",
  "infostealer_device",
  "laundering",
  "slow_brute_force",
  "rotating_brute_force",
  "rotating_stuffing",
  "session_hijack",
  "slow_wipe",
  "persistence_settings",
  "far_login_same_laptop",
  "new_region_recovery",
  "local_proxy",
  "patient_takeover",
  "distributed_spray",
  "shared_vpn_exit",
] as const;
export type AttackName = (typeof ATTACKS)[number];

export type ScenarioName = PersonaName | AttackName;

/**
 * Attacks across many accounts at once: their per-source verdicts depend on how the partitions'
 * logins interleave, so tests that compare two runs of one stream may leave them out.
 */
export const CAMPAIGNS: readonly AttackName[] = [
  "password_spray",
  "credential_stuffing",
  "rotating_stuffing",
  "distributed_spray",
];
export const SCENARIOS: readonly ScenarioName[] = [...PERSONAS, ...ATTACKS];

export function isAttack(name: ScenarioName): name is AttackName {
  return (ATTACKS as readonly string[]).includes(name);
}

/**
 * The ground truth of one event. `scenario` is the story the event belongs to; `attack` is true for
 * everything the attacker did (failed attempts included); `actor` is the persona name of a legitimate
 * user or the attacker's id; `userId` is the account concerned (the victim for attacks; absent for
 * attempts on accounts that do not exist); `sessionId` the session the event belongs to, if any.
 * `focus` marks the events of a benign persona's sessions that show its odd behaviour (the VPN exit,
 * the reset after forgotten passwords, the evening of deletions), so that the report can show how
 * those sessions fare apart from the persona's ordinary ones.
 */
export interface Label {
  scenario: string;
  attack: boolean;
  actor: string;
  userId?: string;
  sessionId?: string;
  focus?: true;
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
