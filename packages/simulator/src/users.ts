import type { Device } from "./agents.ts";
import { makeDevice, pickDesktopAgent, pickMobileAgent } from "./agents.ts";
import type { Network } from "./network.ts";
import { makeNetwork, sharedNetwork } from "./network.ts";
import type { City } from "./places.ts";
import { pickHomeCity } from "./places.ts";
import type { Rng } from "./random.ts";
import type { Role } from "./story.ts";
import type { PersonaName } from "./types.ts";

// A simulated account holder: where they live, what they use, and how they behave. Everything a
// detector would learn as "normal" for the account is fixed here, once, from the user's own stream.

export interface User {
  id: string;
  persona: PersonaName;
  home: City;
  laptop: Device;
  phone: Device;
  /** Home broadband (one /24, or one IPv6 /48 for ipv6_rotating users). */
  homeNet: Network;
  /** The mobile carrier, shared with other users of the city as carriers are. */
  carrier: Network;
  mfa: boolean;
  sessionsPerWeek: number;
  /** Logins that start with at least one mistyped password. */
  typoRate: number;
  role: Role;
}

export interface UserSpec {
  id: string;
  persona: PersonaName;
  home?: City;
}

/** Carrier /24s per city: a few operators, each with a handful of NAT pools. */
const CARRIER_SLOTS = 8;

export function makeUser(spec: UserSpec, rng: Rng): User {
  const home = spec.home ?? pickHomeCity(rng.fork("home"));
  const { id, persona } = spec;
  const homeKind = persona === "ipv6_rotating" ? "ipv6" : "broadband";
  return {
    id,
    persona,
    home,
    laptop: makeDevice(id, "laptop", pickDesktopAgent(rng.fork("laptop"))),
    phone: makeDevice(id, "phone", pickMobileAgent(rng.fork("phone"))),
    homeNet: makeNetwork(homeKind, home, rng.fork("home-net"), `${id}/home`),
    carrier: sharedNetwork("mobile", home, rng.int(0, CARRIER_SLOTS - 1)),
    mfa: rng.chance(0.35),
    // "A few times a week", with a long tail of daily users.
    sessionsPerWeek:
      persona === "commuter"
        ? rng.between(8, 14)
        : rng.weighted([
            [rng.between(2, 5), 5],
            [rng.between(5, 12), 3],
            [rng.between(12, 20), 1],
          ]),
    typoRate: persona === "password_typos" ? 0.35 : 0.03,
    role: { scenario: persona, attack: false, actor: persona },
  };
}

/** A user id, stable per seed and index, and distinct between seeds so replays never mix accounts. */
export function userIdFor(seedTag: string, index: number): string {
  return `usr_${seedTag}_${index.toString().padStart(6, "0")}`;
}

export function seedTag(seed: number): string {
  return (seed >>> 0).toString(36);
}

/** How a session reached the platform: which device, through which network. */
export interface Setting {
  device: Device;
  network: Network;
  /** The session shows the persona's odd behaviour (a VPN exit, a roaming phone): labelled `focus`. */
  focus?: true;
}

/** The user as the label of a session in `setting` should name them. */
export function actingIn(user: User, setting: Setting): User {
  return setting.focus === true ? { ...user, role: { ...user.role, focus: true } } : user;
}

/** An ordinary day at home: phones on home Wi-Fi or the carrier, laptops on home broadband. */
export function homeSetting(user: User, rng: Rng): Setting {
  if (rng.chance(0.45)) return { device: user.laptop, network: user.homeNet };
  return { device: user.phone, network: rng.chance(0.55) ? user.homeNet : user.carrier };
}
