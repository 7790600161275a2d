import { DESKTOP_AGENTS, makeDevice } from "../agents.ts";
import type { Network } from "../network.ts";
import type { Access } from "../story.ts";
import { HOUR, MINUTE, SECOND } from "../story.ts";
import { makeAttacker } from "./attacker.ts";
import { CLOUD_CITIES, foreignProxies, hostingBlocks } from "./proxies.ts";
import type { AccountAttack } from "./takeovers.ts";

// Password guessing on one account by attackers who know that a detector counts failures per
// address and per /24 over minutes: they go slowly, and never use one network twice.

/**
 * A slow brute force through residential proxies: about 40 failures over 4 hours, each from a
 * different foreign home line, then a success from yet another.
 */
export function slowBruteForce(attack: AccountAttack): void {
  const { victim, story, rng, at, attackerId } = attack;
  const attacker = makeAttacker(
    attackerId,
    "slow_brute_force",
    rng.fork("attacker"),
    { notCountry: victim.home.country },
    "browser",
    victim,
  );
  const failures = rng.int(35, 45);
  const proxies = foreignProxies(rng.fork("proxies"), attackerId, failures + 1, victim.home.country);
  const span = rng.between(3.5, 4.5) * HOUR;
  // An anti-detect browser: a fresh profile (user agent, device cookie) for every attempt.
  let profile = 0;
  const access = (network: Network): Access => {
    const agent = rng.pick(DESKTOP_AGENTS);
    const device = makeDevice(attackerId, `profile/${profile++}`, agent);
    return { ip: network.addresses[0] as string, userAgent: agent.ua, deviceId: device.id };
  };
  let t = at;
  for (let i = 0; i < proxies.length - 1; i++) {
    story.loginFailed(t, attacker.role, victim.id, access(proxies[i] as Network), "bad_password");
    t += (span / failures) * rng.between(0.5, 1.5);
  }
  const last = proxies.at(-1) as Network;
  const session = story.login(t, attacker.role, victim.id, access(last), {
    method: "password",
    mfa: victim.mfa,
  });
  session.modify(rng.int(30, 300) * SECOND, "other", 1);
  if (rng.chance(0.5)) session.change(rng.int(60, 300) * SECOND, "recovery_email", "updated");
  session.end(rng.chance(0.5) ? rng.int(1, 5) * MINUTE : 30 * MINUTE, rng.chance(0.5) ? "logout" : "expired");
}

/**
 * A brute force rotating through a hosting provider: 60–120 failures within an hour or two, each
 * from another /24 of one autonomous system, then a success from another /24 of it.
 */
export function rotatingBruteForce(attack: AccountAttack): void {
  const { victim, story, rng, at, attackerId } = attack;
  const city = rng.pick(CLOUD_CITIES.filter((c) => c.country !== victim.home.country));
  const attacker = makeAttacker(
    attackerId,
    "rotating_brute_force",
    rng.fork("attacker"),
    { city },
    "script",
    victim,
  );
  const failures = rng.int(60, 120);
  const blocks = hostingBlocks(city, rng.fork("blocks"), failures + 1);
  // Half the tools send their library's user agent; the others a real browser's, varied per request.
  const browsers = rng.chance(0.5);
  const agent = () => (browsers ? rng.pick(DESKTOP_AGENTS).ua : attacker.agent.ua);
  const span = rng.between(1, 2) * HOUR;
  let t = at;
  for (let i = 0; i < failures; i++) {
    const network = blocks[i % Math.max(1, blocks.length - 1)] as Network;
    story.loginFailed(
      t,
      attacker.role,
      victim.id,
      { ip: network.addresses[0] as string, userAgent: agent() },
      "bad_password",
    );
    t += (span / failures) * rng.between(0.5, 1.5);
  }
  const winner = blocks.at(-1) as Network;
  const session = story.login(
    t,
    attacker.role,
    victim.id,
    { ip: winner.addresses[0] as string, userAgent: agent() },
    {
      method: "password",
      mfa: victim.mfa,
    },
  );
  if (rng.chance(0.5)) session.change(rng.int(30, 120) * SECOND, "password", "updated");
  session.modify(rng.int(30, 300) * SECOND, "other", 1);
  session.end(30 * MINUTE, "expired");
}
