import { formatIpv4, parseIpv4 } from "./ipv4.ts";
import { formatIpv6, parseIpv6 } from "./ipv6.ts";

export type IpVersion = 4 | 6;

export interface ParsedIp {
  /** Canonical text: dotted IPv4, or RFC 5952 IPv6; IPv4-mapped IPv6 is given as its IPv4. */
  readonly text: string;
  readonly version: IpVersion;
}

/**
 * Internal numeric form: IPv4 as an unsigned 32-bit number (no allocation), IPv6 as eight 16-bit
 * groups. Kept out of ParsedIp so that ParsedIp stays a plain, serialisable value.
 */
export type Address = number | Uint16Array;

function isIpv4Mapped(groups: Uint16Array): boolean {
  return (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  );
}

export function parseAddress(text: string): Address | null {
  if (typeof text !== "string") return null; // callers from plain JS
  if (!text.includes(":")) {
    const v4 = parseIpv4(text);
    return v4 < 0 ? null : v4;
  }
  const groups = parseIpv6(text);
  if (groups === null) return null;
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are the same client as a.b.c.d.
  if (isIpv4Mapped(groups)) return (((groups[6] ?? 0) << 16) | (groups[7] ?? 0)) >>> 0;
  return groups;
}

export function formatAddress(address: Address): string {
  return typeof address === "number" ? formatIpv4(address) : formatIpv6(address);
}

/** `text` is the string `address` was parsed from; reused when it is already canonical. */
export function toParsedIp(address: Address, text: string): ParsedIp {
  if (typeof address === "number") {
    // Strict IPv4 text is already canonical; only a mapped IPv6 needs formatting.
    return { text: text.includes(":") ? formatIpv4(address) : text, version: 4 };
  }
  return { text: formatIpv6(address), version: 6 };
}

/** Strict: no surrounding whitespace, no zone id, no leading zeros in IPv4 octets. Null when invalid. */
export function parseIp(text: string): ParsedIp | null {
  const address = parseAddress(text);
  return address === null ? null : toParsedIp(address, text);
}

export function isIp(text: string): boolean {
  return parseAddress(text) !== null;
}

/** The numeric form of a ParsedIp; throws when it did not come from parseIp. */
export function addressOf(ip: ParsedIp): Address {
  const address = parseAddress(ip.text);
  if (address === null || (typeof address === "number" ? 4 : 6) !== ip.version) {
    throw new TypeError(`not a ParsedIp from parseIp: ${JSON.stringify(ip)}`);
  }
  return address;
}
