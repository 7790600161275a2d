// Strict dotted-quad IPv4: exactly four decimal octets 0-255, no leading zeros (they are octal in
// some parsers, so "010.0.0.1" is ambiguous and rejected), no whitespace, no shorthand like "1.2.3".

/** Parses `text[start..end)` as dotted-quad IPv4; returns the address as an unsigned 32-bit number or -1. */
export function parseIpv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (i < end) {
    const first = text.charCodeAt(i);
    if (first < 48 || first > 57) return -1;
    let octet = first - 48;
    let digits = 1;
    i++;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (octet === 0 || digits === 3) return -1; // leading zero, or more than 3 digits
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (octet > 255) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === end) break;
    if (text.charCodeAt(i) !== 46 || octets === 4) return -1; // expect '.' between octets only
    i++;
    if (i === end) return -1; // trailing dot
  }
  return octets === 4 ? value : -1;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}
