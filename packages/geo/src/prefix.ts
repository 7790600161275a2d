import type { Address, ParsedIp } from "./ip.ts";
import { addressOf } from "./ip.ts";
import { formatIpv4 } from "./ipv4.ts";
import { formatIpv6 } from "./ipv6.ts";

// The network a client shares with its neighbours: /24 is the smallest IPv4 block routed on the
// internet, /48 the usual IPv6 site assignment (a household or office often gets one whole /48, so
// a finer prefix would split a single user across many networks).

export function networkPrefixOf(address: Address): string {
  if (typeof address === "number") return `${formatIpv4((address & 0xffffff00) >>> 0)}/24`;
  const network = new Uint16Array(8);
  network.set(address.subarray(0, 3));
  return `${formatIpv6(network)}/48`;
}

/** "203.0.113.0/24" for IPv4, "2001:db8:1::/48" for IPv6. */
export function networkPrefix(ip: ParsedIp): string {
  return networkPrefixOf(addressOf(ip));
}
