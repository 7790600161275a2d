import { makeDevice } from "../agents.ts";
import { sameOperatorNetwork } from "../network.ts";
import { logIn, ordinaryActivity, usualTime } from "../routine.ts";
import type { Access, Session } from "../story.ts";
import { HOUR, MINUTE, SECOND } from "../story.ts";
import type { AttackName } from "../types.ts";
import { vpnExits } from "../wanderers.ts";
import { type Attacker, attackerAccess, makeAttacker } from "./attacker.ts";
import { copiedAccess, ownRole } from "./hijacks.ts";
import { foreignCity, otherCityOf, residentialProxy } from "./proxies.ts";
import type { AccountAttack } from "./takeovers.ts";

// Takeovers by attackers who know what a detector looks at: they bring the victim's own device
// (an infostealer's loot), rent home lines instead of servers, keep the first session quiet, stay
// near home, act at the victim's usual hours, and spread the damage out.

/** An attacker on a rented home line in `city` (a residential proxy), with a browser of their own. */
function onHomeLine(
  attack: AccountAttack,
  scenario: AttackName,
  city: Attacker["city"],
  mobile = false,
): Attacker {
  const { victim, rng, attackerId } = attack;
  const attacker = makeAttacker(
    attackerId,
    scenario,
    rng.fork("attacker"),
    { city },
    mobile ? "mobile" : "browser",
    victim,
  );
  attacker.network = residentialProxy(city, rng.fork("line"), `${attackerId}/line`);
  return attacker;
}

function login(attack: AccountAttack, attacker: Attacker, at: number, access: Access): Session {
  return attack.story.login(at, attacker.role, attack.victim.id, access, {
    method: "password",
    mfa: attack.victim.mfa,
  });
}

/**
 * An infostealer's loot: the password and the browser's exact user agent and device id. The
 * attacker logs in from abroad presenting the victim's laptop, changes the email, deletes albums.
 */
export function infostealerDevice(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const abroad = foreignCity(rng.fork("city"), victim.home.country);
  const attacker = onHomeLine(attack, "infostealer_device", abroad);
  if (rng.chance(0.4)) {
    const hosted = makeAttacker(
      attack.attackerId,
      "infostealer_device",
      rng.fork("hosted"),
      { notCountry: victim.home.country },
      "browser",
      victim,
    );
    attacker.network = hosted.network;
  }
  const session = login(
    attack,
    attacker,
    at,
    copiedAccess(victim.laptop, attacker.network.addresses[0] as string),
  );
  if (rng.chance(0.5)) session.modify(rng.int(30, 300) * SECOND, "other", 1);
  session.change(rng.int(60, 400) * SECOND, "email", "updated");
  session.delete(rng.int(60, 300) * SECOND, "album", rng.int(10, 50));
  session.end(30 * MINUTE, "expired");
}

/**
 * Laundering the context: a first session from abroad that only logs in and out (so that the place
 * and device look seen and harmless), then 15 minutes later a second one from the same place and
 * device that changes the email and turns MFA off.
 */
export function laundering(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const attacker = makeAttacker(
    attack.attackerId,
    "laundering",
    rng.fork("attacker"),
    { notCountry: victim.home.country, residential: rng.chance(0.5) },
    "browser",
    victim,
  );
  const access = attackerAccess(attacker, at, rng);
  const quiet = login(attack, attacker, at, access);
  if (rng.chance(0.5)) quiet.modify(rng.int(20, 120) * SECOND, "other", 1);
  quiet.end(rng.int(30, 240) * SECOND, "logout");
  const second = login(attack, attacker, quiet.at + rng.int(10, 20) * MINUTE, access);
  second.change(rng.int(40, 200) * SECOND, "email", "updated");
  second.change(rng.int(30, 180) * SECOND, "mfa", "disabled");
  second.end(rng.int(1, 5) * MINUTE, "logout");
}

/**
 * A slow wipe: the attacker comes back every day or two for a week and deletes a little each time
 * (a few albums, a few dozen photos), at the victim's usual hours, from one place and device.
 */
export function slowWipe(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const home = rng.chance(0.5);
  const city = home
    ? otherCityOf(rng.fork("city"), victim.home)
    : foreignCity(rng.fork("city"), victim.home.country);
  const attacker = onHomeLine(attack, "slow_wipe", city);
  const device = rng.chance(0.5) ? victim.laptop : undefined;
  let t = at;
  for (let visit = rng.int(5, 8); visit > 0; visit--) {
    const ip = attacker.network.addresses[0] as string;
    const access = device === undefined ? attackerAccess(attacker, t, rng) : copiedAccess(device, ip);
    const session = login(attack, attacker, t, access);
    if (rng.chance(0.6)) session.delete(rng.int(30, 300) * SECOND, "album", rng.int(1, 4));
    else session.delete(rng.int(30, 300) * SECOND, "photo", rng.int(8, 40));
    if (rng.chance(0.3)) session.delete(rng.int(30, 300) * SECOND, "photo", rng.int(3, 15));
    session.end(rng.int(1, 10) * MINUTE, "logout");
    t = usualTime(victim, rng, t + 20 * HOUR); // the next day or so, at a usual hour: 20–44 h
  }
}

/**
 * Staying in without changing anything a user would notice: an API token, a new username, privacy
 * opened up, and an MFA method added (or replaced) on the attacker's own device.
 */
export function persistenceSettings(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const attacker = makeAttacker(
    attack.attackerId,
    "persistence_settings",
    rng.fork("attacker"),
    { notCountry: victim.home.country, residential: rng.chance(0.5) },
    "browser",
    victim,
  );
  const session = login(attack, attacker, at, attackerAccess(attacker, at, rng));
  const steps = rng.shuffle([
    () => session.change(rng.int(30, 240) * SECOND, "api_token", "added"),
    () => session.change(rng.int(30, 240) * SECOND, "username", "updated"),
    () => session.change(rng.int(30, 240) * SECOND, "privacy", "updated"),
    () =>
      session.change(rng.int(30, 240) * SECOND, "mfa", victim.mfa && rng.chance(0.5) ? "updated" : "added"),
  ]);
  for (const step of steps.slice(0, rng.int(2, 4))) step();
  session.end(rng.int(1, 5) * MINUTE, "logout");
}

/**
 * The victim logs in at home on the laptop; 20–30 minutes later the same laptop (its exact user
 * agent and device id, from an infostealer) logs in 8,000 km or more away.
 */
export function farLoginSameLaptop(attack: AccountAttack): void {
  const { victim, story, rng, at } = attack;
  const own = { ...victim, role: ownRole(victim, "far_login_same_laptop") };
  const setting = { device: victim.laptop, network: victim.homeNet };
  ordinaryActivity(logIn(story, own, rng, at, setting, 0), own, rng, setting);
  const city = foreignCity(rng.fork("city"), victim.home.country, 8000, victim.home);
  const attacker = onHomeLine(attack, "far_login_same_laptop", city);
  const t = at + rng.int(20, 30) * MINUTE;
  const session = login(
    attack,
    attacker,
    t,
    copiedAccess(victim.laptop, attacker.network.addresses[0] as string),
  );
  for (let i = rng.int(1, 3); i > 0; i--) session.modify(rng.int(20, 180) * SECOND, "other", 1);
  if (rng.chance(0.5)) session.change(rng.int(60, 300) * SECOND, "recovery_email", "updated");
  session.end(30 * MINUTE, "expired");
}

/**
 * A new region (a neighbouring country, or another part of a large one) and a new device, then the
 * recovery email and the password changed.
 */
export function newRegionRecovery(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const near = foreignCity(rng.fork("city"), victim.home.country, 0, victim.home);
  const city = rng.chance(0.3) ? otherCityOf(rng.fork("other"), victim.home) : near;
  const attacker = onHomeLine(attack, "new_region_recovery", city, rng.chance(0.4));
  const session = login(attack, attacker, at, attackerAccess(attacker, at, rng));
  if (rng.chance(0.5)) session.modify(rng.int(30, 200) * SECOND, "photo", 1);
  session.change(rng.int(60, 400) * SECOND, "recovery_email", "updated");
  session.change(rng.int(30, 300) * SECOND, "password", "updated");
  session.end(rng.int(1, 5) * MINUTE, "logout");
}

/**
 * A residential or mobile proxy in the victim's own city on the victim's own ISP or carrier (another
 * /24 of the same autonomous system), a phone of the victim's model (its user agent, not its device
 * id), at the victim's usual hours: one day the recovery email, the next the password and the email.
 */
export function localProxy(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const attacker = makeAttacker(
    attack.attackerId,
    "local_proxy",
    rng.fork("attacker"),
    { city: victim.home },
    "mobile",
  );
  const operator = rng.chance(0.5) ? victim.carrier : victim.homeNet;
  attacker.network = sameOperatorNetwork(operator, rng.fork("proxy"), `${attack.attackerId}/proxy`);
  const device = makeDevice(attack.attackerId, "phone", victim.phone.agent);
  const access = (): Access => ({
    ip: rng.pick(attacker.network.addresses),
    userAgent: device.agent.ua,
    deviceId: device.id,
  });
  const first = usualTime(victim, rng, at);
  const one = login(attack, attacker, first, access());
  one.modify(rng.int(30, 300) * SECOND, "photo", 1);
  one.change(rng.int(60, 600) * SECOND, "recovery_email", "updated");
  one.end(rng.int(1, 10) * MINUTE, "logout");
  const next = usualTime(victim, rng, first + 16 * HOUR);
  const two = login(attack, attacker, next, access());
  two.change(rng.int(60, 300) * SECOND, "password", "updated");
  two.change(rng.int(30, 300) * SECOND, "email", "updated");
  if (victim.mfa) two.change(rng.int(30, 200) * SECOND, "mfa", "disabled");
  two.end(rng.int(1, 10) * MINUTE, "logout");
}

/**
 * A patient takeover with a slow ramp: a home line in the victim's country, a browser like the
 * victim's (same user agent string), three or four quiet visits at the victim's usual hours over
 * several days, then the recovery email, and a day later the email, the password and MFA.
 */
export function patientTakeover(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const city = rng.chance(0.5) ? victim.home : otherCityOf(rng.fork("city"), victim.home);
  const attacker = onHomeLine(attack, "patient_takeover", city);
  const device = makeDevice(attack.attackerId, "laptop", victim.laptop.agent);
  const access: Access = {
    ip: attacker.network.addresses[0] as string,
    userAgent: device.agent.ua,
    deviceId: device.id,
  };
  let t = usualTime(victim, rng, at);
  for (let visit = rng.int(3, 4); visit > 0; visit--) {
    const quiet = login(attack, attacker, t, access);
    for (let i = rng.int(1, 3); i > 0; i--)
      quiet.modify(rng.int(20, 300) * SECOND, rng.pick(["photo", "comment"] as const), 1);
    quiet.end(rng.int(1, 20) * MINUTE, "logout");
    t = usualTime(victim, rng, t + 18 * HOUR);
  }
  const ramp = login(attack, attacker, t, access);
  ramp.modify(rng.int(20, 300) * SECOND, "photo", 1);
  ramp.change(rng.int(60, 600) * SECOND, "recovery_email", "updated");
  ramp.end(rng.int(1, 20) * MINUTE, "logout");
  const strike = login(attack, attacker, usualTime(victim, rng, t + 20 * HOUR), access);
  strike.change(rng.int(60, 300) * SECOND, "email", "updated");
  strike.change(rng.int(30, 300) * SECOND, "password", "updated");
  if (victim.mfa) strike.change(rng.int(30, 200) * SECOND, "mfa", "disabled");
  strike.end(rng.int(1, 10) * MINUTE, "logout");
}

/** How long each of these attacks can last, so that the planner keeps it inside the window. */
export const STEALTH_DAYS: Partial<Record<AttackName, number>> = {
  slow_wipe: 13,
  local_proxy: 3,
  patient_takeover: 9,
  cookie_replay: 6,
  shared_vpn_exit: 1,
};

/**
 * The victim's own VPN: an attacker who knows the detector forgives the exits a VPN user keeps
 * using subscribes to the same commercial VPN and picks the victim's favourite exit (the same
 * shared /24), with a browser like the victim's, then changes the recovery email and the password.
 */
export function sharedVpnExit(attack: AccountAttack): void {
  const { victim, rng, at } = attack;
  const [exit] = vpnExits(victim);
  const attacker = makeAttacker(
    attack.attackerId,
    "shared_vpn_exit",
    rng.fork("attacker"),
    { city: exit?.city ?? victim.home },
    "browser",
    victim,
  );
  if (exit !== undefined) attacker.network = exit;
  const device = makeDevice(attack.attackerId, "laptop", victim.laptop.agent);
  const access: Access = {
    ip: rng.pick(attacker.network.addresses),
    userAgent: device.agent.ua,
    deviceId: device.id,
  };
  const session = login(attack, attacker, usualTime(victim, rng, at), access);
  if (rng.chance(0.5)) session.modify(rng.int(30, 300) * SECOND, "photo", 1);
  session.change(rng.int(60, 600) * SECOND, "recovery_email", "updated");
  session.change(rng.int(30, 300) * SECOND, "password", "updated");
  if (victim.mfa && rng.chance(0.5)) session.change(rng.int(30, 200) * SECOND, "mfa", "disabled");
  session.end(rng.int(1, 10) * MINUTE, "logout");
}
