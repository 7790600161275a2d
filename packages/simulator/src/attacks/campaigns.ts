import { DESKTOP_AGENTS, makeDevice } from "../agents.ts";
import { makeNetwork } from "../network.ts";
import type { City } from "../places.ts";
import { CITIES } from "../places.ts";
import type { Rng } from "../random.ts";
import { hashHex } from "../random.ts";
import type { Access, Story } from "../story.ts";
import { HOUR, MINUTE, SECOND } from "../story.ts";
import type { Attacker } from "./attacker.ts";
import { makeAttacker } from "./attacker.ts";
import { CLOUD_CITIES, hostingBlocks } from "./proxies.ts";

// Attacks across many accounts, keyed by source rather than by user. Most attempts fail; the few
// that succeed open the sessions a detector must catch. Times are relative to 0: the planner moves
// a campaign into the window once it knows how long it lasted.

export interface Campaign {
  story: Story;
  rng: Rng;
  attackerId: string;
  /** Existing accounts to try, victims included. */
  targets: readonly string[];
  /** Accounts whose password the attacker has right. */
  victims: readonly string[];
  /** Attempts on accounts that do not exist (stale or invented usernames). */
  unknown: number;
}

function hint(attackerId: string, i: number): string {
  return `acct_${hashHex(`${attackerId}/unknown/${i}`, 64)}`;
}

type Target = { userId: string } | { hint: string };

function targetsOf(campaign: Campaign): Target[] {
  const known: Target[] = campaign.targets.map((userId) => ({ userId }));
  const unknown: Target[] = Array.from({ length: campaign.unknown }, (_, i) => ({
    hint: hint(campaign.attackerId, i),
  }));
  return campaign.rng.shuffle([...known, ...unknown]);
}

function attempt(story: Story, attacker: Attacker, at: number, target: Target, access: Access): void {
  if ("hint" in target) story.unknownAccount(at, attacker.role, target.hint, access);
  else story.loginFailed(at, attacker.role, target.userId, access, "bad_password");
}

/**
 * A few common passwords, one round each, over hundreds of accounts from one /24: slow (tens of
 * seconds apart, hours between rounds) so that no single account sees more than two failures.
 */
export function passwordSpray(campaign: Campaign): void {
  const { story, rng, attackerId, victims } = campaign;
  const attacker = makeAttacker(
    attackerId,
    "password_spray",
    rng,
    {},
    rng.chance(0.5) ? "script" : "browser",
  );
  const sources = attacker.network.addresses.slice(0, rng.int(1, 3));
  const access = (): Access => ({ ip: rng.pick(sources), userAgent: attacker.agent.ua });
  // Which round's password a victim uses; 0 = first.
  const found = new Map(victims.map((id) => [id, rng.chance(0.5) ? 0 : 1]));
  const targets = targetsOf(campaign);
  let t = 0;
  for (let round = 0; round < 2; round++) {
    for (const target of targets) {
      const userId = "userId" in target ? target.userId : undefined;
      const victimRound = userId === undefined ? undefined : found.get(userId);
      if (round === 1 && victimRound !== 1 && (victimRound === 0 || rng.chance(0.4))) continue;
      t += rng.int(20, 70) * SECOND;
      if (userId !== undefined && victimRound === round) {
        const session = story.login(t, attacker.role, userId, access(), { method: "password" });
        session.modify(rng.int(20, 120) * SECOND, "other", 1);
        session.end(30 * MINUTE, "expired");
      } else {
        attempt(story, attacker, t, target, access());
      }
    }
    t += rng.between(1, 3) * HOUR; // wait out lockout windows before the next password
  }
}

const STUFFING_CITIES = [
  CITIES.ashburn,
  CITIES.amsterdam,
  CITIES.frankfurt,
  CITIES.moscow,
  CITIES.hanoi,
  CITIES.singapore,
];

/**
 * A leaked list replayed by a botnet of rented servers: 3–5 /24s in one hosting city, every account
 * tried once, most of them unknown here, a few with the right password.
 */
export function credentialStuffing(campaign: Campaign): void {
  const { story, rng, attackerId, victims } = campaign;
  const city = rng.pick(STUFFING_CITIES);
  const attacker = makeAttacker(attackerId, "credential_stuffing", rng, { city }, "script");
  const blocks = Array.from({ length: rng.int(3, 5) }, (_, i) =>
    makeNetwork("hosting", city, rng.fork(`block/${i}`), `${attackerId}/block/${i}`),
  );
  const agents = [
    attacker.agent.ua,
    ...rng.sample(["python-requests/2.32.5", "okhttp/4.12.0", "Go-http-client/1.1"], 2),
  ];
  const access = (): Access => ({ ip: rng.pick(rng.pick(blocks).addresses), userAgent: rng.pick(agents) });
  const winners = new Set(victims);
  let t = 0;
  for (const target of targetsOf(campaign)) {
    t += rng.int(300, 5000); // a few parallel workers behind rate limits
    if ("userId" in target && winners.has(target.userId)) {
      const session = story.login(t, attacker.role, target.userId, access(), { method: "password" });
      if (rng.chance(0.6))
        session.end(rng.int(5, 60) * SECOND, "logout"); // a checker: valid, noted, gone
      else session.change(rng.int(1, 10) * MINUTE, "api_token", "added").end(30 * MINUTE, "expired");
    } else {
      attempt(story, attacker, t, target, access());
    }
  }
}

/**
 * Credential stuffing that rotates through a hosting provider: every attempt from another /24 of
 * one autonomous system (dozens of them), so that no /24 sees more than a handful of attempts.
 */
export function rotatingStuffing(campaign: Campaign): void {
  const { story, rng, attackerId, victims } = campaign;
  const city = rng.pick(CLOUD_CITIES);
  const attacker = makeAttacker(attackerId, "rotating_stuffing", rng, { city }, "script");
  const blocks = hostingBlocks(city, rng.fork("blocks"), rng.int(40, 120));
  const agents = [
    attacker.agent.ua,
    ...rng.sample(
      DESKTOP_AGENTS.map((a) => a.ua),
      3,
    ),
  ];
  const access = (): Access => ({ ip: rng.pick(rng.pick(blocks).addresses), userAgent: rng.pick(agents) });
  const winners = new Set(victims);
  let t = 0;
  for (const target of targetsOf(campaign)) {
    t += rng.int(500, 8000);
    if ("userId" in target && winners.has(target.userId)) {
      const session = story.login(t, attacker.role, target.userId, access(), { method: "password" });
      if (rng.chance(0.5)) session.end(rng.int(5, 60) * SECOND, "logout");
      else session.change(rng.int(1, 10) * MINUTE, "api_token", "added").end(30 * MINUTE, "expired");
    } else {
      attempt(story, attacker, t, target, access());
    }
  }
}

/**
 * A spray below every per-source threshold: one password over many accounts through residential
 * proxies, each home line used for one to three attempts, spread over two days. The accounts whose
 * password it was are then entered from a home line in their owner's own country.
 */
export function distributedSpray(campaign: Campaign, homeOf: (userId: string) => City | undefined): void {
  const { story, rng, attackerId, victims } = campaign;
  const attacker = makeAttacker(attackerId, "distributed_spray", rng, {}, "browser");
  const targets = targetsOf(campaign);
  const span = rng.between(36, 60) * HOUR;
  const winners = new Set(victims);
  const used = new Set<string>();
  let lines = 0;
  let line = "";
  let uses = 0;
  /** A home line never used before in this campaign. */
  const freshLine = (): string => {
    for (let tries = 0; tries < 8; tries++) {
      const city = rng.pick(Object.values(CITIES));
      const network = makeNetwork(
        "broadband",
        city,
        rng.fork(`line/${lines}`),
        `${attackerId}/line/${lines}`,
      );
      lines++;
      const fresh = network.addresses.find((ip) => !used.has(ip));
      if (fresh !== undefined) return fresh;
    }
    throw new Error(`${attackerId}: no fresh home line found`);
  };
  targets.forEach((target, i) => {
    const t = (span * i) / targets.length + rng.int(0, 60) * SECOND;
    if (uses <= 0) {
      line = freshLine();
      used.add(line);
      uses = rng.int(1, 3);
    }
    uses--;
    const home = "userId" in target && winners.has(target.userId) ? homeOf(target.userId) : undefined;
    if (home !== undefined && "userId" in target) {
      const near = makeNetwork("broadband", home, rng.fork(`win/${i}`), `${attackerId}/win/${i}`);
      const access: Access = { ip: near.addresses[0] as string, userAgent: attacker.agent.ua };
      access.deviceId = makeDevice(attackerId, `profile/${i}`, attacker.agent).id; // a fresh browser profile
      const session = story.login(t, attacker.role, target.userId, access, { method: "password" });
      session.modify(rng.int(30, 300) * SECOND, "photo", 1);
      if (rng.chance(0.6)) session.change(rng.int(60, 600) * SECOND, "recovery_email", "updated");
      else session.change(rng.int(60, 600) * SECOND, "api_token", "added");
      session.end(rng.int(1, 10) * MINUTE, "logout");
      return;
    }
    attempt(story, attacker, t, target, {
      ip: line,
      userAgent: rng.pick(DESKTOP_AGENTS).ua,
    });
  });
}
