import type { Device } from "../agents.ts";
import type { Rng } from "../random.ts";
import { logIn } from "../routine.ts";
import type { Access, Role, Session } from "../story.ts";
import { DAY, HOUR, MINUTE, SECOND } from "../story.ts";
import type { AttackName } from "../types.ts";
import type { User } from "../users.ts";
import { homeSetting } from "../users.ts";
import { type Attacker, makeAttacker } from "./attacker.ts";
import { foreignCity, residentialProxy } from "./proxies.ts";
import type { AccountAttack } from "./takeovers.ts";

// Attacks that never log in: the session cookie is stolen (an infostealer's cookie jar, a phishing
// proxy in the middle) and replayed from the attacker's own network inside the owner's session.
// The cookie jar comes with the browser's user agent and the site's device cookie, so the attacker
// usually presents the owner's exact device; the address is the one thing they cannot bring along.

/** The victim's own part of an attack story: not an attack event, but in the attack's row. */
export function ownRole(victim: User, scenario: AttackName): Role {
  return { scenario, attack: false, actor: victim.persona };
}

/** The owner's device as the stolen cookie jar presents it, from the attacker's address. */
export function copiedAccess(device: Device, ip: string): Access {
  return { ip, userAgent: device.agent.ua, deviceId: device.id };
}

/** Abroad, on a rented home line (most of the time) or a hosting provider. */
function intruder(attack: AccountAttack, scenario: AttackName, rng: Rng): Attacker {
  const { victim, attackerId } = attack;
  const attacker = makeAttacker(
    attackerId,
    scenario,
    rng,
    { notCountry: victim.home.country },
    "browser",
    victim,
  );
  if (rng.chance(0.6)) {
    const city = foreignCity(rng.fork("proxy-city"), victim.home.country);
    attacker.city = city;
    attacker.network = residentialProxy(city, rng.fork("proxy"), `${attackerId}/proxy`);
  }
  return attacker;
}

/** What the attacker presents: the owner's device (copied with the cookie) or their own browser. */
function presented(attacker: Attacker, device: Device, copied: boolean): Access {
  const ip = attacker.network.addresses[0] as string;
  if (copied) return copiedAccess(device, ip);
  const access: Access = { ip, userAgent: attacker.agent.ua };
  if (attacker.deviceId !== undefined) access.deviceId = attacker.deviceId;
  return access;
}

/**
 * A stolen cookie replayed from abroad: no login, the recovery email and then the password changed
 * inside the owner's session. Either minutes after the owner's last action (the session still warm),
 * or days later in a long-lived "remember me" or app session the owner never closed, or in a session
 * opened before the stream began, that Vigil has never seen.
 */
export function cookieReplay(attack: AccountAttack): void {
  const { victim, story, rng, at } = attack;
  const attacker = intruder(attack, "cookie_replay", rng.fork("intruder"));
  const setting = homeSetting(victim, rng);
  const copied = rng.chance(0.75);
  const variant = rng.weighted([
    ["warm", 5],
    ["days", 3],
    ["unseen", 2],
  ] as const);
  let thief: Session;
  let owners: Session | undefined;
  if (variant === "unseen") {
    const access = presented(attacker, setting.device, copied);
    thief = story.openedEarlier(at, attacker.role, victim.id, access);
    thief.modify(1, "other", 1);
  } else {
    const own = { ...victim, role: ownRole(victim, "cookie_replay") };
    owners = logIn(story, own, rng, at, setting, 0);
    for (let i = rng.int(1, 4); i > 0; i--)
      owners.modify(5 * SECOND + rng.exponential(3 * MINUTE), "photo", 1);
    thief = owners.replayedBy(attacker.role, presented(attacker, setting.device, copied));
    thief.modify(variant === "warm" ? rng.int(5, 90) * MINUTE : rng.between(1, 5) * DAY, "other", 1);
  }
  thief.change(rng.int(40, 240) * SECOND, "recovery_email", "updated");
  thief.change(rng.int(30, 300) * SECOND, "password", "updated");
  if (rng.chance(0.3)) thief.change(rng.int(20, 120) * SECOND, "recovery_phone", "updated");
  if (owners === undefined || rng.chance(0.5)) thief.end(rng.int(10, 120) * SECOND, "logout");
  else owners.end(rng.int(1, 6) * HOUR, "revoked"); // the platform signs everyone out after a while
}

/**
 * An in-session hijack: the owner is using the session at home, and from a foreign address the same
 * session changes the email and deletes albums; sometimes the owner carries on afterwards.
 */
export function sessionHijack(attack: AccountAttack): void {
  const { victim, story, rng, at } = attack;
  const own = { ...victim, role: ownRole(victim, "session_hijack") };
  const setting = homeSetting(victim, rng);
  const session = logIn(story, own, rng, at, setting, 0);
  for (let i = rng.int(1, 3); i > 0; i--)
    session.modify(5 * SECOND + rng.exponential(2 * MINUTE), "photo", 1);
  const attacker = intruder(attack, "session_hijack", rng.fork("intruder"));
  const thief = session.replayedBy(attacker.role, presented(attacker, setting.device, rng.chance(0.5)));
  thief.change(rng.int(2, 40) * MINUTE, "email", "updated");
  thief.delete(rng.int(30, 180) * SECOND, "album", rng.int(8, 40));
  if (rng.chance(0.4)) thief.delete(rng.int(30, 120) * SECOND, "photo", rng.int(50, 400));
  if (rng.chance(0.5)) session.modify(rng.int(1, 10) * MINUTE, "comment", 1); // the owner, unaware
  session.end(30 * MINUTE, "expired");
}
