import type { Rng } from "../random.ts";
import { logIn, ordinaryActivity } from "../routine.ts";
import type { Story } from "../story.ts";
import { MINUTE, SECOND } from "../story.ts";
import type { AttackName } from "../types.ts";
import type { User } from "../users.ts";
import { homeSetting } from "../users.ts";
import { attackerAccess, makeAttacker } from "./attacker.ts";
import { rotatingBruteForce, slowBruteForce } from "./guessing.ts";
import { cookieReplay, sessionHijack } from "./hijacks.ts";
import {
  farLoginSameLaptop,
  infostealerDevice,
  laundering,
  localProxy,
  newRegionRecovery,
  patientTakeover,
  persistenceSettings,
  sharedVpnExit,
  slowWipe,
} from "./stealth.ts";

// Attacks on one account. Each writes the attacker's events (and, for impossible travel, the
// victim's own login that makes the travel impossible) into the story, starting at `at`.

export interface AccountAttack {
  victim: User;
  story: Story;
  rng: Rng;
  at: number;
  attackerId: string;
}

/**
 * Phished credentials (the one-time code relayed too): a login from another country on a new
 * device, then within minutes the email changed, MFA off, and the albums gone.
 */
export function takeoverAbroad({ victim, story, rng, at, attackerId }: AccountAttack): void {
  const attacker = makeAttacker(
    attackerId,
    "takeover_abroad",
    rng,
    { notCountry: victim.home.country },
    "browser",
    victim,
  );
  const access = attackerAccess(attacker, at, rng);
  let t = at;
  if (rng.chance(0.3)) {
    story.loginFailed(t, attacker.role, victim.id, access, "bad_password"); // a typo in the copied password
    t += rng.int(10, 40) * SECOND;
  }
  const session = story.login(t, attacker.role, victim.id, access, { method: "password", mfa: victim.mfa });
  session.change(rng.int(60, 240) * SECOND, "email", "updated");
  session.change(rng.int(30, 180) * SECOND, "mfa", "disabled");
  session.delete(rng.int(60, 300) * SECOND, "album", rng.int(20, 60));
  if (rng.chance(0.5)) session.delete(rng.int(30, 120) * SECOND, "photo", rng.int(200, 900));
  session.end(30 * MINUTE, "expired");
}

/** The victim logs in at home; within the hour the same account logs in from thousands of km away. */
export function impossibleTravel({ victim, story, rng, at, attackerId }: AccountAttack): void {
  const own = { ...victim, role: { scenario: "impossible_travel", attack: false, actor: victim.persona } };
  const setting = homeSetting(victim, rng);
  ordinaryActivity(logIn(story, own, rng, at, setting, 0), own, rng, setting);
  const attacker = makeAttacker(
    attackerId,
    "impossible_travel",
    rng,
    { farFrom: victim.home, minKm: 4000 },
    "browser",
    victim,
  );
  const t = at + rng.int(8, 50) * MINUTE;
  const session = story.login(t, attacker.role, victim.id, attackerAccess(attacker, t, rng), {
    method: "password",
  });
  for (let i = rng.int(1, 3); i > 0; i--) session.modify(rng.int(20, 180) * SECOND, "other", 1);
  session.end(30 * MINUTE, "expired");
}

/** A script guesses one account's password from one address, dozens of times, until it works. */
export function bruteForce({ victim, story, rng, at, attackerId }: AccountAttack, attempts?: number): void {
  const tooling = rng.chance(0.7) ? "script" : "browser";
  const attacker = makeAttacker(
    attackerId,
    "brute_force",
    rng,
    { notCountry: victim.home.country },
    tooling,
    victim,
  );
  const access = attackerAccess(attacker, at, rng);
  let t = at;
  for (let i = attempts ?? rng.int(25, 90); i > 0; i--) {
    story.loginFailed(t, attacker.role, victim.id, access, "bad_password");
    t += rng.int(1500, 9000); // as fast as the login form's rate limit allows
  }
  const session = story.login(t, attacker.role, victim.id, access, { method: "password" });
  if (rng.chance(0.5)) session.change(rng.int(30, 120) * SECOND, "password", "updated");
  session.modify(rng.int(30, 300) * SECOND, "other", 1);
  session.end(30 * MINUTE, "expired");
}

/**
 * Someone close to home (a leaked password, a stolen SIM): same country, another city and network,
 * a new device, and only a quiet change of the recovery address, maybe of the password.
 */
export function quietTakeover({ victim, story, rng, at, attackerId }: AccountAttack): void {
  const where = { country: victim.home.country, avoidCity: victim.home, residential: true };
  const attacker = makeAttacker(
    attackerId,
    "quiet_takeover",
    rng,
    where,
    rng.chance(0.5) ? "mobile" : "browser",
    victim,
  );
  const session = story.login(at, attacker.role, victim.id, attackerAccess(attacker, at, rng), {
    method: "password",
    mfa: victim.mfa,
  });
  session.change(rng.int(2, 10) * MINUTE, "recovery_email", "updated");
  if (rng.chance(0.5)) session.change(rng.int(1, 5) * MINUTE, "password", "updated");
  session.end(rng.int(1, 5) * MINUTE, "logout");
}

export const ACCOUNT_ATTACKS: Partial<Record<AttackName, (attack: AccountAttack) => void>> = {
  takeover_abroad: takeoverAbroad,
  impossible_travel: impossibleTravel,
  brute_force: (attack) => bruteForce(attack),
  quiet_takeover: quietTakeover,
  cookie_replay: cookieReplay,
  session_hijack: sessionHijack,
  infostealer_device: infostealerDevice,
  laundering,
  slow_wipe: slowWipe,
  persistence_settings: persistenceSettings,
  far_login_same_laptop: farLoginSameLaptop,
  new_region_recovery: newRegionRecovery,
  local_proxy: localProxy,
  patient_takeover: patientTakeover,
  slow_brute_force: slowBruteForce,
  rotating_brute_force: rotatingBruteForce,
  shared_vpn_exit: sharedVpnExit,
};
