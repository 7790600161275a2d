import { asnOf, locate, parseIp } from "@vigil/geo";
import type { Network } from "../network.ts";
import { addressPool, makeNetwork, operatorOf } from "../network.ts";
import type { City } from "../places.ts";
import { CITIES, cityDistanceKm } from "../places.ts";
import type { Rng } from "../random.ts";

// The networks attackers rent: residential proxies (real home lines anywhere in the world, one per
// request if they like) and hosting providers (many /24s of one autonomous system). Both defeat a
// detector that counts per address or per /24.

const EVERY_CITY: readonly City[] = Object.values(CITIES);

/** Where the big clouds have many /24s to rotate through. */
export const CLOUD_CITIES: readonly City[] = [
  CITIES.ashburn,
  CITIES.frankfurt,
  CITIES.amsterdam,
  CITIES.singapore,
  CITIES.london,
];

/** Any city outside `country` (residential proxies exist wherever people have broadband). */
export function foreignCity(rng: Rng, country: string, minKm = 0, from?: City): City {
  const candidates = EVERY_CITY.filter(
    (c) => c.country !== country && (from === undefined || cityDistanceKm(c, from) >= minKm),
  );
  if (candidates.length > 0) return rng.pick(candidates);
  // No city that far: the farthest one there is.
  const others = EVERY_CITY.filter((c) => c.country !== country);
  return others.reduce((far, c) =>
    from !== undefined && cityDistanceKm(c, from) > cityDistanceKm(far, from) ? c : far,
  );
}

/** Another city of the same country, or the city itself when the list knows no other. */
export function otherCityOf(rng: Rng, city: City): City {
  const others = EVERY_CITY.filter((c) => c.country === city.country && c !== city);
  return others.length > 0 ? rng.pick(others) : city;
}

/** A home line rented as a proxy in `city`. */
export function residentialProxy(city: City, rng: Rng, key: string): Network {
  return makeNetwork("broadband", city, rng, key);
}

/** `count` residential proxies, each a different /24 in a different foreign city (countries repeat). */
export function foreignProxies(rng: Rng, key: string, count: number, notCountry: string): Network[] {
  const networks: Network[] = [];
  const prefixes = new Set<string>();
  for (let i = 0; networks.length < count && i < count * 3; i++) {
    const network = residentialProxy(
      foreignCity(rng, notCountry),
      rng.fork(`proxy/${i}`),
      `${key}/proxy/${i}`,
    );
    const first = network.addresses[0] as string;
    const prefix = first.slice(0, first.lastIndexOf("."));
    if (prefixes.has(prefix)) continue;
    prefixes.add(prefix);
    networks.push(network);
  }
  return networks;
}

function prefixOf(ip: string): string {
  return ip.slice(0, ip.lastIndexOf("."));
}

function countryOf(ip: string): string | null {
  const parsed = parseIp(ip);
  return parsed === null ? null : (locate(parsed)?.country ?? null);
}

/**
 * `count` /24s of the autonomous system that routes a hosting address in `city` (neighbouring /24s
 * of its block, and other addresses of the city that the routing dataset puts in the same AS), one
 * address each. Where the dataset does not know the AS, neighbouring /24s in the same country stand
 * in (a provider's /16 is rarely split between owners).
 */
export function hostingBlocks(city: City, rng: Rng, count: number): Network[] {
  const pool = addressPool(city, 4);
  const clouds = pool.filter((ip) => operatorOf(ip) === "cloud");
  // Rotation needs a big provider: one of the city's clouds with the most addresses.
  const sizes = new Map<number, number>();
  for (const ip of clouds) {
    const number = asnOf(ip)?.number ?? 0;
    sizes.set(number, (sizes.get(number) ?? 0) + 1);
  }
  const biggest = Math.max(0, ...sizes.values());
  const big = clouds.filter((ip) => (sizes.get(asnOf(ip)?.number ?? 0) ?? 0) >= biggest / 2);
  const base = rng.pick(big.length > 0 ? big : pool);
  const asn = asnOf(base)?.number ?? null;
  const belongs = (ip: string) => {
    const other = asnOf(ip);
    return asn === null ? other === null : other !== null && other.number === asn;
  };
  const found = new Map<string, string>([[prefixOf(base), base]]);
  const [a, b, c] = base.split(".").map(Number) as [number, number, number];
  for (let step = 1; step < 256 && found.size < count; step++) {
    for (const third of [c + step, c - step]) {
      if (third < 0 || third > 255 || found.size >= count) continue;
      const candidate = `${a}.${b}.${third}.${rng.int(2, 254)}`;
      if (countryOf(candidate) === city.country && belongs(candidate))
        found.set(prefixOf(candidate), candidate);
    }
  }
  for (const ip of rng.shuffle(pool)) {
    if (found.size >= count) break;
    if (!found.has(prefixOf(ip)) && asn !== null && belongs(ip)) found.set(prefixOf(ip), ip);
  }
  return [...found.values()].map((ip, i) => ({
    kind: "hosting",
    city,
    addresses: [ip],
    key: `hosting/${city.city}/${base}/${i}`,
  }));
}
