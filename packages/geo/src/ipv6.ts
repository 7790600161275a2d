import { parseIpv4 } from "./ipv4.ts";

// Strict RFC 4291 text form: 1-4 hex digits per group, at most one "::", an optional dotted IPv4
// tail in the last 32 bits. Zone ids ("fe80::1%eth0") and brackets are rejected: a zone is only
// meaningful on the host that produced it, so it cannot identify a client.

const MAX_TEXT_LENGTH = 45; // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

/** Value of a hex digit's char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text into eight 16-bit groups, or null. */
export function parseIpv6(text: string): Uint16Array | null {
  const length = text.length;
  if (length < 2 || length > MAX_TEXT_LENGTH) return null;
  const groups = new Uint16Array(8);
  let count = 0;
  let gapAt = -1; // index in `groups` where "::" stands
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return null; // a lone leading ':'
    gapAt = 0;
    i = 2;
  }
  while (i < length) {
    let j = i;
    let group = 0;
    for (let digit = hexValue(text.charCodeAt(j)); digit >= 0; digit = hexValue(text.charCodeAt(j))) {
      group = group * 16 + digit;
      j++;
    }
    if (j < length && text.charCodeAt(j) === 46) {
      // Dotted IPv4 tail: must end the text and fill the last two groups.
      if (count > 6) return null;
      const v4 = parseIpv4(text, i, length);
      if (v4 < 0) return null;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = length;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || count === 8) return null;
    groups[count++] = group;
    i = j;
    if (i === length) break;
    if (text.charCodeAt(i) !== 58) return null;
    i++;
    if (i === length) return null; // a lone trailing ':'
    if (text.charCodeAt(i) === 58) {
      if (gapAt >= 0) return null; // a second "::"
      gapAt = count;
      i++;
    }
  }
  if (gapAt < 0) return count === 8 ? groups : null;
  if (count > 7) return null; // "::" must stand for at least one group
  const tail = count - gapAt;
  groups.copyWithin(8 - tail, gapAt, count);
  groups.fill(0, gapAt, 8 - tail);
  return groups;
}

/** RFC 5952 text: lower-case, no leading zeros, the longest (first on ties) run of 2+ zero groups as "::". */
export function formatIpv6(groups: Uint16Array): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += "::";
      i += bestLength - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLength) text += ":";
    text += (groups[i] ?? 0).toString(16);
  }
  return text;
}
