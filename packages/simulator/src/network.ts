import { asnOf, distanceKm, locate, parseIp, sampleIps, sampleIpv6 } from "@vigil/geo";
import type { City } from "./places.ts";
import { hash128, Rng } from "./random.ts";
import { DAY } from "./story.ts";

// Real addresses of real places, and how a network hands them out over time. sampleIps scans
// geoip-lite's files (~50 ms a place), so each place is sampled once per process with a fixed seed
// and cached; the population's seed then chooses among the pool. Host parts are varied only inside
// the sampled /24 (IPv4) or /48 (IPv6), and only where locate() still agrees on the place.

export type NetworkKind = "broadband" | "mobile" | "office" | "wifi" | "ipv6" | "hosting";

export interface Network {
  kind: NetworkKind;
  city: City;
  /** Addresses of this network, all located in `city`; the first is the one it was built from. */
  addresses: readonly string[];
  /** A name unique to this network, so that its address choices over time are stable. */
  key: string;
  /** IPv6 only: the first four groups (the /48 and the household's /64) when rotation stays in place. */
  ipv6Subnet?: readonly number[];
}

const POOL_SEED = 0x5eed_7001;
const POOL_SIZE = 384;
const pools = new Map<string, readonly string[]>();

/** geoip-lite's city names are not unique (Houston, Missouri): keep addresses near our coordinates. */
const NEAR_KM = 80;

function inCity(text: string, city: City): boolean {
  const ip = parseIp(text);
  const place = ip === null ? null : locate(ip);
  return (
    place !== null &&
    place.country === city.country &&
    place.city === city.city &&
    distanceKm(place, city) <= NEAR_KM
  );
}

/** Real public addresses of the city (or, if geoip-lite knows too few there, of its country). */
export function addressPool(city: City, version: 4 | 6 = 4): readonly string[] {
  const key = `${version}|${city.country}|${city.city}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    const sample = version === 4 ? sampleIps : sampleIpv6;
    const count = version === 4 ? POOL_SIZE : 48;
    try {
      const found = sample({ country: city.country, city: city.city, count, seed: POOL_SEED });
      const near = found.filter((ip) => inCity(ip, city));
      pool = near.length > 0 ? near : found;
    } catch {
      pool = sample({ country: city.country, count, seed: POOL_SEED });
    }
    pools.set(key, pool);
  }
  return pool;
}

/**
 * Who runs an address, as far as the simulator needs to know to hand it out: sampled by address
 * space, a city's pool is mostly clouds and universities, while people sit behind ISPs and
 * carriers and attackers rent clouds. Read from the routing dataset's organisation names; the
 * detector must not rely on this list (real traffic has operators it does not name).
 */
export type Operator = "cloud" | "campus" | "isp" | "unknown";

const CLOUD =
  /amazon|microsoft|google|digitalocean|oracle|alibaba|tencent|huawei|ovh|hetzner|linode|akamai|vultr|choopa|constant company|m247|datacamp|leaseweb|contabo|ibm cloud|cloudflare|salesforce|strato|scaleway|hostinger|ionos|godaddy|rackspace|equinix|cogent|hurricane|zenlayer|g-core|hosting|server|data ?cent(er|re)|cloud/i;
const CAMPUS =
  /univers|college|school|hochschule|école|research|education|forschung|jisc|surf b\.v|academ|institut|ministry|government|hospital/i;

export function operatorOf(ip: string): Operator {
  const asn = asnOf(ip);
  if (asn === null) return "unknown";
  if (CLOUD.test(asn.org)) return "cloud";
  if (CAMPUS.test(asn.org)) return "campus";
  return "isp";
}

/** Addresses of the city's pool run by the kind of operator a network of `kind` has, if it has any. */
function poolFor(kind: NetworkKind, city: City, version: 4 | 6): readonly string[] {
  const key = `${kind === "hosting" ? "cloud" : "isp"}|${version}|${city.country}|${city.city}`;
  let pool = byOperator.get(key);
  if (pool === undefined) {
    const all = addressPool(city, version);
    const wanted: Operator = kind === "hosting" ? "cloud" : "isp";
    const matching = all.filter((ip) => operatorOf(ip) === wanted);
    pool = matching.length >= 4 ? matching : all;
    byOperator.set(key, pool);
  }
  return pool;
}
const byOperator = new Map<string, readonly string[]>();

/** Other hosts of the same /24 that geoip-lite still puts in the city. */
function ipv4Neighbours(base: string, city: City, rng: Rng, wanted: number): string[] {
  const prefix = base.slice(0, base.lastIndexOf("."));
  const found = new Set<string>([base]);
  for (let attempt = 0; attempt < wanted * 3 && found.size < wanted; attempt++) {
    const candidate = `${prefix}.${rng.int(2, 254)}`;
    if (!found.has(candidate) && inCity(candidate, city)) found.add(candidate);
  }
  return [...found];
}

function expandIpv6(text: string): number[] {
  const [head = "", tail] = text.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((group) => Number.parseInt(group, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** An address in `subnet` (four groups) with the interface id drawn from `words`. */
function ipv6Address(subnet: readonly number[], words: readonly number[]): string {
  const groups = [...subnet];
  for (const word of words.slice(0, 2)) groups.push(word >>> 16, word & 0xffff);
  return parseIp(groups.map((group) => group.toString(16)).join(":"))?.text ?? ""; // RFC 5952, as edges log it
}

/** A network of `kind` in `city`, its base address drawn from the city's pool. */
export function makeNetwork(kind: NetworkKind, city: City, rng: Rng, key: string): Network {
  if (kind === "ipv6") {
    const base = rng.pick(poolFor(kind, city, 6));
    const subnet = [...expandIpv6(base).slice(0, 3), rng.int(0, 0xff)];
    // geoip-lite's IPv6 blocks are far wider than a /48, but check a few before relying on it.
    const probes = [0, 1, 2, 3].map((i) => ipv6Address(subnet, hash128(`${key}/probe/${i}`)));
    if (probes.every((probe) => inCity(probe, city)))
      return { kind, city, addresses: probes, key, ipv6Subnet: subnet };
    return { kind, city, addresses: [base], key };
  }
  return networkAround(kind, city, rng.pick(poolFor(kind, city, 4)), rng, key);
}

/** An IPv4 network of `kind` built around `base`, an address of the city's pool. */
export function networkAround(kind: NetworkKind, city: City, base: string, rng: Rng, key: string): Network {
  // Homes keep one address for long; carrier NAT and offices spread clients over many.
  const spread = kind === "broadband" || kind === "wifi" ? 3 : kind === "hosting" ? 40 : 12;
  return { kind, city, addresses: ipv4Neighbours(base, city, rng, spread), key };
}

/**
 * Another /24 of the operator (autonomous system) that runs `network`, in its city: where another
 * subscriber of the same ISP or carrier would be. The network itself when the city's pool has none.
 */
export function sameOperatorNetwork(network: Network, rng: Rng, key: string): Network {
  const first = network.addresses[0] as string;
  const asn = asnOf(first);
  const prefix = first.slice(0, first.lastIndexOf("."));
  const others =
    asn === null
      ? []
      : addressPool(network.city, 4).filter(
          (ip) => !ip.startsWith(`${prefix}.`) && asnOf(ip)?.number === asn.number,
        );
  if (others.length === 0) return { ...network, key };
  return networkAround(network.kind, network.city, rng.pick(others), rng, key);
}

/** Networks of a carrier or ISP are shared: many users of one city sit behind the same /24s. */
export function sharedNetwork(kind: NetworkKind, city: City, slot: number): Network {
  const key = `shared/${kind}/${city.country}/${city.city}/${slot}`;
  let network = shared.get(key);
  if (network === undefined) {
    // Seeded by its own name: a shared network must not depend on which user asked for it first.
    network = makeNetwork(kind, city, new Rng(key), key);
    shared.set(key, network);
  }
  return network;
}
const shared = new Map<string, Network>();

/**
 * The address the network gives at time `at`. Home broadband keeps a lease for about a week; IPv6
 * privacy extensions rotate the interface id daily; carriers and offices pick from their pool per
 * connection (`rng` of the session).
 */
export function addressAt(network: Network, at: number, rng: Rng): string {
  const { addresses } = network;
  const slot = (period: number) => {
    const [word = 0] = hash128(`${network.key}/${Math.floor(at / period)}`);
    return addresses[word % addresses.length] as string;
  };
  switch (network.kind) {
    case "broadband":
      return slot(9 * DAY);
    case "ipv6":
      if (network.ipv6Subnet === undefined) return addresses[0] as string;
      return ipv6Address(network.ipv6Subnet, hash128(`${network.key}/${Math.floor(at / DAY)}`));
    case "wifi":
      return addresses[0] as string;
    default:
      return rng.pick(addresses);
  }
}
