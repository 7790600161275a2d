import type { ParsedIp } from "./ip.ts";
import { parseAddress, toParsedIp } from "./ip.ts";
import type { Place } from "./locate.ts";
import { locateAddress } from "./locate.ts";
import { isNonPublicAddress } from "./non-public.ts";
import { networkPrefixOf } from "./prefix.ts";

/** The autonomous system that routes an address: who operates the network (a carrier, a host, a VPN). */
export interface Asn {
  number: number;
  /** The organisation as the routing dataset names it. */
  org: string;
}

export interface IpFacts {
  ip: ParsedIp;
  /** networkPrefix(ip) */
  network: string;
  /** locate(ip); null when non-public or unknown to geoip-lite. */
  place: Place | null;
  nonPublic: boolean;
  /** The routing network; null when non-public or unknown to the dataset. */
  asn: Asn | null;
}

/** Everything the detector needs about an event's address, parsing it once. Null when `text` is not an IP. */
export function ipFacts(text: string): IpFacts | null {
  const address = parseAddress(text);
  if (address === null) return null;
  const ip = toParsedIp(address, text);
  const nonPublic = isNonPublicAddress(address);
  return {
    ip,
    network: networkPrefixOf(address),
    place: nonPublic ? null : locateAddress(address, ip.text),
    nonPublic,
    asn: null,
  };
}
