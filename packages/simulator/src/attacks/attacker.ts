import type { Agent } from "../agents.ts";
import { DESKTOP_AGENTS, MOBILE_AGENTS, makeDevice, SCRIPT_AGENTS } from "../agents.ts";
import type { Network } from "../network.ts";
import { addressAt, makeNetwork } from "../network.ts";
import type { City } from "../places.ts";
import { ATTACKER_CITIES, citiesOf, cityDistanceKm } from "../places.ts";
import type { Rng } from "../random.ts";
import type { Access, Role } from "../story.ts";
import type { AttackName } from "../types.ts";
import type { User } from "../users.ts";

// Who attacks and from where. Attackers come from places the victim has never been, on devices the
// platform has never seen; their tooling shows in the User-Agent when they automate.

export interface Attacker {
  role: Role;
  city: City;
  network: Network;
  agent: Agent;
  /** Absent for scripts: HTTP libraries carry no device identifier. */
  deviceId?: string;
}

export interface Whereabouts {
  /** Exactly here (a campaign's hosting city). */
  city?: City;
  /** Not in this country (takeovers from abroad). */
  notCountry?: string;
  /** In this country, but another city (quiet takeovers). */
  country?: string;
  avoidCity?: City;
  /** At least this far from the city, in km (impossible travel). */
  farFrom?: City;
  minKm?: number;
  /** Behind a home line instead of rented servers: quiet takeovers blend in. */
  residential?: boolean;
}

function attackerCity(rng: Rng, where: Whereabouts): City {
  const { country, avoidCity, farFrom, minKm = 0, notCountry } = where;
  if (where.city !== undefined) return where.city;
  if (country !== undefined) {
    const others = citiesOf(country).filter((c) => c !== avoidCity);
    if (others.length > 0) return rng.pick(others);
  }
  const candidates = ATTACKER_CITIES.filter(
    (c) =>
      c.country !== notCountry &&
      c !== avoidCity &&
      (farFrom === undefined || cityDistanceKm(c, farFrom) >= minKm),
  );
  return rng.pick(candidates.length > 0 ? candidates : ATTACKER_CITIES);
}

export type Tooling = "browser" | "mobile" | "script";

/** A browser of another OS than the victim's laptop, so that the device is new in every respect. */
function attackerAgent(rng: Rng, tooling: Tooling, victim?: User): Agent {
  if (tooling === "script") return rng.pick(SCRIPT_AGENTS);
  if (tooling === "mobile") return rng.pick(MOBILE_AGENTS.filter((a) => a.kind === "mobile"));
  const os = victim?.laptop.agent.os;
  return rng.pick(DESKTOP_AGENTS.filter((a) => a.os !== os));
}

export function makeAttacker(
  id: string,
  scenario: AttackName,
  rng: Rng,
  where: Whereabouts,
  tooling: Tooling,
  victim?: User,
): Attacker {
  const city = attackerCity(rng.fork("city"), where);
  const kind = where.residential === true ? "broadband" : "hosting";
  const network = makeNetwork(kind, city, rng.fork("network"), `${id}/network`);
  const agent = attackerAgent(rng.fork("agent"), tooling, victim);
  const attacker: Attacker = { role: { scenario, attack: true, actor: id }, city, network, agent };
  if (tooling !== "script") attacker.deviceId = makeDevice(id, "device", agent).id;
  return attacker;
}

/** The attacker's request at `at`: one fixed address unless `rotate` (botnets and proxy pools). */
export function attackerAccess(attacker: Attacker, at: number, rng: Rng, rotate = false): Access {
  const access: Access = {
    ip: rotate ? addressAt(attacker.network, at, rng) : (attacker.network.addresses[0] as string),
    userAgent: attacker.agent.ua,
  };
  if (attacker.deviceId !== undefined) access.deviceId = attacker.deviceId;
  return access;
}

export function attackerId(seedTag: string, scenario: AttackName, index: number): string {
  return `atk_${seedTag}_${index.toString().padStart(4, "0")}_${scenario}`;
}
