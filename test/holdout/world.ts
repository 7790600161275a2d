import * as geo from "@vigil/geo";
import { sampleIps, sampleIpv6 } from "@vigil/geo";

// The places, networks and devices of the holdout traffic. Written apart from packages/simulator
// (and without reading its attack code) so that its figures measure how detection generalises.

/** mulberry32: small, fast, seeded. */
export class Dice {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(length: number): string {
    let text = "";
    while (text.length < length) text += Math.floor(this.next() * 16).toString(16);
    return text;
  }
}

export interface Town {
  country: string;
  city: string;
}

/** Homes of the holdout users: cities geoip-lite knows well, in several regions of the world. */
export const HOMES: readonly Town[] = [
  { country: "US", city: "Chicago" },
  { country: "US", city: "Houston" },
  { country: "GB", city: "Manchester" },
  { country: "DE", city: "Hamburg" },
  { country: "FR", city: "Lyon" },
  { country: "ES", city: "Madrid" },
  { country: "IT", city: "Milan" },
  { country: "NL", city: "Rotterdam" },
  { country: "CA", city: "Toronto" },
  { country: "AU", city: "Melbourne" },
  { country: "BR", city: "Rio de Janeiro" },
  { country: "JP", city: "Osaka" },
  { country: "PL", city: "Warsaw" },
  { country: "SE", city: "Stockholm" },
];

/** Far away from most homes: where attackers' infrastructure and travellers' hotels are. */
export const ABROAD: readonly Town[] = [
  { country: "NG", city: "Lagos" },
  { country: "VN", city: "Hanoi" },
  { country: "ID", city: "Jakarta" },
  { country: "RU", city: "Moscow" },
  { country: "TR", city: "Istanbul" },
  { country: "TH", city: "Bangkok" },
  { country: "MX", city: "Mexico City" },
  { country: "ZA", city: "Johannesburg" },
  { country: "AR", city: "Buenos Aires" },
  { country: "SG", city: "Singapore" },
];

/** Commercial VPN exits: hosting networks in privacy-friendly countries. */
export const VPN_EXITS: readonly Town[] = [
  { country: "CH", city: "Zurich" },
  { country: "SE", city: "Stockholm" },
  { country: "NL", city: "Amsterdam" },
  { country: "US", city: "Ashburn" },
  { country: "DE", city: "Frankfurt am Main" },
];

const pools = new Map<string, string[]>();

/** Real addresses geoip-lite places in the town (or the country, without a city). */
export function addressesIn(town: { country: string; city?: string }, seed = 11): string[] {
  const key = `${town.country}/${town.city ?? ""}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    try {
      pool = sampleIps({
        country: town.country,
        ...(town.city ? { city: town.city } : {}),
        count: 400,
        seed,
      });
    } catch {
      pool = sampleIps({ country: town.country, count: 400, seed });
    }
    pools.set(key, pool);
  }
  return pool;
}

type AsnLookup = (ip: string) => { number: number } | null;
const asnOf: AsnLookup | null = (geo as unknown as { asnOf?: AsnLookup }).asnOf ?? null;

/** Whether addresses can be grouped by carrier (once @vigil/geo knows autonomous systems). */
export const knowsCarriers = asnOf !== null;

/** Addresses of one pool that belong to the same autonomous system as `anchor` (itself included). */
export function sameCarrier(pool: readonly string[], anchor: string): string[] {
  if (asnOf === null) return [anchor];
  const number = asnOf(anchor)?.number;
  if (number === undefined) return [anchor];
  return pool.filter((ip) => asnOf(ip)?.number === number);
}

const relayPools = new Map<string, string[]>();

/**
 * Egress addresses of privacy relays (Apple's iCloud Private Relay and the like leave through
 * Akamai, Cloudflare and Fastly) that geoip-lite places in the country: empty without routing data.
 */
export function relayEgress(country: string): string[] {
  let pool = relayPools.get(country);
  if (pool === undefined) {
    const relays = new Set([13335, 16625, 20940, 36183, 54113, 209242]);
    pool =
      asnOf === null
        ? []
        : sampleIps({ country, count: 20_000, seed: 3 }).filter((ip) => relays.has(asnOf(ip)?.number ?? 0));
    relayPools.set(country, pool);
  }
  return pool;
}

const ipv6Pools = new Map<string, string[]>();

/**
 * The first four groups (the /64 a router is delegated) of a real IPv6 address of the same
 * autonomous system as `anchor` in its country: the provider's IPv6 side of a dual-stack line.
 * Null when the routing data or geoip-lite know no IPv6 address of that provider in the country.
 */
export function ipv6SubnetOf(anchor: string, country: string, dice: Dice): string | null {
  if (asnOf === null) return null;
  let pool = ipv6Pools.get(country);
  if (pool === undefined) {
    pool = sampleIpv6({ country, count: 600, seed: 11 });
    ipv6Pools.set(country, pool);
  }
  const number = asnOf(anchor)?.number;
  const same = pool.filter((ip) => asnOf(ip)?.number === number);
  if (number === undefined || same.length === 0) return null;
  const groups = expandIpv6(dice.pick(same));
  return groups.slice(0, 4).join(":");
}

/** An address of the /64 with a random interface id: what privacy extensions give a device each day. */
export function ipv6Host(subnet: string, dice: Dice): string {
  return `${subnet}:${dice.hex(4)}:${dice.hex(4)}:${dice.hex(4)}:${dice.hex(4)}`;
}

function expandIpv6(text: string): string[] {
  const [head = "", tail = ""] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const zeros = text.includes("::") ? 8 - left.length - right.length : 0;
  return [...left, ...Array.from({ length: zeros }, () => "0"), ...right];
}

/** An address of the same /24 as `ip`, another host: what a home router gets on renewal. */
export function neighbour(ip: string, dice: Dice): string {
  const parts = ip.split(".");
  if (parts.length !== 4) return ip;
  parts[3] = String(dice.int(2, 254));
  return parts.join(".");
}

export interface Device {
  userAgent: string;
  deviceId: string;
}

export const LAPTOP_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0",
];

export const PHONE_AGENTS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 19_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 16; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 15; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
];

export function device(agents: readonly string[], dice: Dice): Device {
  return { userAgent: dice.pick(agents), deviceId: `d-${dice.hex(16)}` };
}
