import { ipv4RangesOf, ipv6RangesOf } from "./geoipRanges.ts";
import type { Address } from "./ip.ts";
import { formatAddress } from "./ip.ts";
import { locateAddress } from "./locate.ts";
import { nextUnit, prng } from "./prng.ts";

export interface SampleOptions {
  /** ISO 3166-1 alpha-2, as geoip-lite spells it ("GB", not "UK"). */
  country: string;
  /** Exactly as geoip-lite spells it: "London", "Paris", "Lagos", "São Paulo", "New York". */
  city?: string;
  count: number;
  /** 32-bit integer. Same seed, same place, same geoip-lite data: same addresses in the same order. */
  seed: number;
}

// Addresses are drawn uniformly over all of the place's addresses (so big ISPs dominate, as they
// do in real traffic), then kept only if locate() agrees: the guarantee callers rely on.
// Each call scans geoip-lite's data files once: ~50 ms for a city, ~150 ms for a big country.

const MAX_ATTEMPTS_PER_ADDRESS = 20;

/** The place's addresses, weighted by block size. */
interface Pool {
  /** Running totals of block sizes; floats, as they only weigh the choice of block. */
  cumulative: Float64Array;
  /** A random address in block `index`. */
  draw(index: number, next: () => number): Address;
}

function cumulativeSizes(count: number, sizeOf: (index: number) => number): Float64Array {
  const cumulative = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum += sizeOf(i);
    cumulative[i] = sum;
  }
  return cumulative;
}

function ipv4Pool(country: string, city: string | undefined): Pool {
  const { first, last } = ipv4RangesOf(country, city);
  const sizeOf = (i: number) => (last[i] ?? 0) - (first[i] ?? 0) + 1;
  return {
    cumulative: cumulativeSizes(first.length, sizeOf),
    draw: (i, next) => (first[i] ?? 0) + Math.floor(nextUnit(next) * sizeOf(i)),
  };
}

function ipv6Pool(country: string, city: string | undefined): Pool {
  const { first, last } = ipv6RangesOf(country, city);
  const sizeOf = (i: number) => (last[i] ?? 0n) - (first[i] ?? 0n) + 1n;
  return {
    cumulative: cumulativeSizes(first.length, (i) => Number(sizeOf(i))),
    draw: (i, next) => {
      let bits = 0n; // 160 random bits, so the modulo below is all but unbiased
      for (let word = 0; word < 5; word++) bits = (bits << 32n) | BigInt(next());
      return toGroups((first[i] ?? 0n) + (bits % sizeOf(i)));
    },
  };
}

function toGroups(value: bigint): Uint16Array {
  const groups = new Uint16Array(8);
  for (let i = 7; i >= 0; i--, value >>= 16n) groups[i] = Number(value & 0xffffn);
  return groups;
}

/** The first index whose running total exceeds `target`. */
function pickIndex(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((cumulative[mid] ?? 0) > target) high = mid;
    else low = mid + 1;
  }
  return low;
}

function sample(version: 4 | 6, options: SampleOptions): string[] {
  const { country, city, count, seed } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer: ${count}`);
  }
  if (count === 0) return [];
  const place = `IPv${version} addresses in country=${JSON.stringify(country)}${city === undefined ? "" : ` city=${JSON.stringify(city)}`}`;
  const pool = version === 4 ? ipv4Pool(country, city) : ipv6Pool(country, city);
  const total = pool.cumulative[pool.cumulative.length - 1] ?? 0;
  if (total === 0) throw new Error(`geoip-lite knows no ${place} (names are spelled as geoip-lite does)`);
  // Salted with the place so that two places sampled with one seed do not share host bits.
  const next = prng(seed, `${version}/${country}/${city ?? ""}`);
  const found = new Set<string>();
  for (let attempt = 0; attempt < count * MAX_ATTEMPTS_PER_ADDRESS && found.size < count; attempt++) {
    const address = pool.draw(pickIndex(pool.cumulative, nextUnit(next) * total), next);
    const text = formatAddress(address);
    const located = locateAddress(address);
    if (located !== null && located.country === country && (city === undefined || located.city === city)) {
      found.add(text);
    }
  }
  if (found.size < count)
    throw new Error(`found only ${found.size} of ${count} ${place} that locate() agrees with`);
  return [...found];
}

/** Real public IPv4 addresses that locate() puts in the place; throws if there are not `count` of them. */
export function sampleIps(options: SampleOptions): string[] {
  return sample(4, options);
}

/** Real public IPv6 addresses that locate() puts in the place; throws if there are not `count` of them. */
export function sampleIpv6(options: SampleOptions): string[] {
  return sample(6, options);
}
