import type { Rng } from "../random.ts";
import type { Draft } from "../story.ts";
import { DAY, HOUR, Story } from "../story.ts";
import type { AttackName, PersonaName } from "../types.ts";
import { ATTACKS } from "../types.ts";
import type { User } from "../users.ts";
import { attackerId } from "./attacker.ts";
import type { Campaign } from "./campaigns.ts";
import { credentialStuffing, distributedSpray, passwordSpray, rotatingStuffing } from "./campaigns.ts";
import { STEALTH_DAYS } from "./stealth.ts";
import { ACCOUNT_ATTACKS } from "./takeovers.ts";

// Chooses the victims (attackRate × users), deals them out over the attacks, and schedules each
// attack in the later part of the window, after the victim has had time to build a history.

/**
 * Victims are people whose own sessions are all at home (VPN users and carrier hoppers included:
 * their histories already hold foreign exits and many operators); travellers, commuters and new
 * users would put the victim's own part of a story (a login at home) where they could not be.
 */
const VICTIM_PERSONAS: readonly PersonaName[] = [
  "home_user",
  "password_typos",
  "ipv6_rotating",
  "photo_cleanup",
  "vpn_user",
  "carrier_hopper",
  "forgot_password",
  "new_phone_secured",
  "big_cleanup",
];

/** Dealing order: every attack in turn, so that a population with enough victims has each of them. */
const DEAL: readonly AttackName[] = ATTACKS;

/** Attacks aimed at one kind of user: the VPN exit is worth sharing only with a VPN user. */
const WANTS_PERSONA: Partial<Record<AttackName, PersonaName>> = { shared_vpn_exit: "vpn_user" };

/** Attacks that turn MFA off go to accounts that had it on, where there is one. */
const WANTS_MFA: readonly AttackName[] = ["takeover_abroad", "laundering"];

const CAMPAIGN_VICTIMS: Partial<Record<AttackName, number>> = {
  password_spray: 3,
  credential_stuffing: 5,
  rotating_stuffing: 5,
  distributed_spray: 5,
};

export interface AttackPlan {
  users: readonly User[];
  rng: Rng;
  tag: string;
  attackRate: number;
  from: number;
  to: number;
}

/** Deals victims to attacks, each to the first account in the shuffled pool that suits it. */
function dealVictims(plan: AttackPlan): Map<AttackName, User[]> {
  const count = Math.min(Math.round(plan.users.length * plan.attackRate), plan.users.length);
  const pool = plan.rng.shuffle(plan.users.filter((u) => VICTIM_PERSONAS.includes(u.persona)));
  const dealt = new Map<AttackName, User[]>();
  for (let i = 0; i < count && pool.length > 0; i++) {
    const name = DEAL[i % DEAL.length] as AttackName;
    const wanted = WANTS_PERSONA[name];
    const fits = (u: User) =>
      (wanted === undefined || u.persona === wanted) && (!WANTS_MFA.includes(name) || u.mfa);
    const at = Math.max(0, pool.findIndex(fits));
    const [victim] = pool.splice(at, 1);
    if (victim !== undefined) dealt.set(name, [...(dealt.get(name) ?? []), victim]);
  }
  return dealt;
}

/** Moves a campaign written from time 0 to a random start that keeps it inside the window. */
function place(drafts: Draft[], rng: Rng, from: number, to: number): void {
  const duration = drafts.reduce((latest, d) => Math.max(latest, d.at), 0);
  const earliest = from + (to - from) * 0.3;
  const latest = to - HOUR - duration;
  const start = latest <= earliest ? Math.max(from, latest) : rng.between(earliest, latest);
  for (const draft of drafts) draft.at = Math.round(draft.at + start);
}

/** The attack stories' drafts, ready to merge with the population's. */
export function planAttacks(plan: AttackPlan): Draft[] {
  const { users, rng, tag, from, to } = plan;
  const drafts: Draft[] = [];
  let index = 0;
  for (const [name, victims] of dealVictims(plan)) {
    const size = CAMPAIGN_VICTIMS[name];
    if (size === undefined) {
      for (const victim of victims) {
        const id = attackerId(tag, name, index++);
        const story = new Story(`${tag}/${id}`);
        const attackRng = rng.fork(id);
        const lasts = (STEALTH_DAYS[name] ?? 0) * DAY + 6 * HOUR;
        const at = Math.min(from + (to - from) * attackRng.between(0.35, 0.95), to - lasts);
        ACCOUNT_ATTACKS[name]?.({ victim, story, rng: attackRng, at: Math.max(at, from), attackerId: id });
        for (const draft of story.drafts) drafts.push(draft);
      }
      continue;
    }
    for (let i = 0; i < victims.length; i += size) {
      const id = attackerId(tag, name, index++);
      const story = new Story(`${tag}/${id}`);
      const campaignRng = rng.fork(id);
      const winners = victims.slice(i, i + size).map((u) => u.id);
      const campaign = campaignFor(name, story, campaignRng, id, users, winners);
      runCampaign(name, campaign, users);
      place(story.drafts, campaignRng, from, to);
      for (const draft of story.drafts) drafts.push(draft);
    }
  }
  return drafts;
}

/** Plays a campaign of `name` (one that spans accounts) into its story, from time 0. */
export function runCampaign(name: AttackName, campaign: Campaign, users: readonly User[]): void {
  if (name === "password_spray") passwordSpray(campaign);
  else if (name === "credential_stuffing") credentialStuffing(campaign);
  else if (name === "rotating_stuffing") rotatingStuffing(campaign);
  else if (name === "distributed_spray") {
    const homes = new Map(users.filter((u) => campaign.victims.includes(u.id)).map((u) => [u.id, u.home]));
    distributedSpray(campaign, (userId) => homes.get(userId));
  } else throw new RangeError(`not a campaign: ${name}`);
}

/** Sprays try hundreds of real accounts; stuffing lists are mostly addresses never registered here. */
export function campaignFor(
  name: AttackName,
  story: Story,
  rng: Rng,
  id: string,
  users: readonly User[],
  victims: readonly string[],
): Campaign {
  const others = users.map((u) => u.id).filter((userId) => !victims.includes(userId));
  if (name === "password_spray" || name === "distributed_spray") {
    const targets = [...victims, ...rng.sample(others, Math.max(0, 400 - victims.length))];
    return { story, rng, attackerId: id, targets, victims, unknown: Math.max(300 - targets.length, 0) + 20 };
  }
  const known = Math.min(others.length, Math.max(80, Math.round(users.length * 0.3)));
  const targets = [...victims, ...rng.sample(others, known)];
  return { story, rng, attackerId: id, targets, victims, unknown: Math.round(targets.length * 2.5) };
}
