import type { Asn } from "./asn.ts";
import { asnOfPublicAddress } from "./asn.ts";
import type { ParsedIp } from "./ip.ts";
import { parseAddress, toParsedIp } from "./ip.ts";
import type { Place } from "./locate.ts";
import { locateAddress } from "./locate.ts";
import { isNonPublicAddress } from "./nonPublic.ts";
import { networkPrefixOf } from "./prefix.ts";

export interface IpFacts {
  ip: ParsedIp;
  /** networkPrefix(ip) */
  network: string;
  /** locate(ip); null when non-public or unknown to geoip-lite. */
  place: Place | null;
  nonPublic: boolean;
  /** asnOf(ip): the routing network; null when non-public or unknown to the dataset. */
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
    place: nonPublic ? null : locateAddress(address),
    nonPublic,
    asn: nonPublic ? null : asnOfPublicAddress(address),
  };
}
