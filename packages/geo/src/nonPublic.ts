import type { Address, ParsedIp } from "./ip.ts";
import { addressOf } from "./ip.ts";
import { parseIpv4 } from "./ipv4.ts";
import { parseIpv6 } from "./ipv6.ts";

// "Non-public" = not globally reachable, so it says nothing about where a client is: the IANA
// special-purpose registries' entries whose "Globally Reachable" is False or N/A, plus multicast,
// documentation ranges, and for IPv6 everything outside 2000::/3 (the only block IANA allocates for
// global unicast). Blocks are listed whole even where the registry has tiny global exceptions
// (192.0.0.9/32, AMT and AS112 inside 2001::/23): those are infrastructure, never end users.

interface V4Block {
  base: number;
  length: number;
}
interface V6Block {
  base: Uint16Array;
  length: number;
}

const v4 = (base: string, length: number): V4Block => ({ base: parseIpv4(base), length });
const v6 = (base: string, length: number): V6Block => ({
  base: parseIpv6(base) ?? new Uint16Array(8),
  length,
});

const V4_BLOCKS: readonly V4Block[] = [
  v4("0.0.0.0", 8), // "this network", includes the unspecified address
  v4("10.0.0.0", 8), // private
  v4("100.64.0.0", 10), // carrier-grade NAT
  v4("127.0.0.0", 8), // loopback
  v4("169.254.0.0", 16), // link-local
  v4("172.16.0.0", 12), // private
  v4("192.0.0.0", 24), // IETF protocol assignments
  v4("192.0.2.0", 24), // documentation TEST-NET-1
  v4("192.88.99.0", 24), // deprecated 6to4 relay anycast
  v4("192.168.0.0", 16), // private
  v4("198.18.0.0", 15), // benchmarking
  v4("198.51.100.0", 24), // documentation TEST-NET-2
  v4("203.0.113.0", 24), // documentation TEST-NET-3
  v4("224.0.0.0", 4), // multicast
  v4("240.0.0.0", 4), // reserved, includes the limited broadcast 255.255.255.255
];

const V6_BLOCKS: readonly V6Block[] = [
  v6("2001::", 23), // IETF protocol assignments: Teredo, benchmarking, ORCHID, ...
  v6("2001:db8::", 32), // documentation
  v6("2002::", 16), // 6to4
  v6("3fff::", 20), // documentation (RFC 9637)
];

function inV4Block(value: number, base: number, length: number): boolean {
  return (value ^ base) >>> (32 - length) === 0;
}

function inV6Block(groups: Uint16Array, base: Uint16Array, length: number): boolean {
  let i = 0;
  for (; length >= 16; length -= 16, i++) if (groups[i] !== base[i]) return false;
  return length === 0 || ((groups[i] ?? 0) ^ (base[i] ?? 0)) >>> (16 - length) === 0;
}

export function isNonPublicAddress(address: Address): boolean {
  if (typeof address === "number") {
    for (const { base, length } of V4_BLOCKS) if (inV4Block(address, base, length)) return true;
    return false;
  }
  // Outside 2000::/3: ::, ::1, unique-local fc00::/7, link-local fe80::/10, multicast ff00::/8, unallocated.
  if ((address[0] ?? 0) >>> 13 !== 0b001) return true;
  for (const { base, length } of V6_BLOCKS) if (inV6Block(address, base, length)) return true;
  return false;
}

/** True for private, loopback, link-local, unique-local, CGNAT, documentation, multicast, unspecified and reserved addresses. */
export function isNonPublic(ip: ParsedIp): boolean {
  return isNonPublicAddress(addressOf(ip));
}
