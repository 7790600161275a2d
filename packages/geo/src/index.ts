// @vigil/geo: what an IP address says about where a client is. Importing this is cheap; geoip-lite's
// city files are opened on the first locate()/ipFacts() call (and searched on disk, ~8 MB kept in
// memory), the ASN dataset loaded on the first asnOf()/ipFacts() call.

export type { Asn } from "./asn.ts";
export { asnOf } from "./asn.ts";
export { asnLookupsPerSecond } from "./asnRate.ts";
export { distanceKm, EARTH_RADIUS_KM } from "./distance.ts";
export type { IpFacts } from "./facts.ts";
export { ipFacts } from "./facts.ts";
export type { IpVersion, ParsedIp } from "./ip.ts";
export { isIp, parseIp } from "./ip.ts";
export type { Place } from "./locate.ts";
export { DEFAULT_CITY_ACCURACY_KM, DEFAULT_COUNTRY_ACCURACY_KM, locate } from "./locate.ts";
export { isNonPublic } from "./nonPublic.ts";
export { networkPrefix } from "./prefix.ts";
export type { SampleOptions } from "./sample.ts";
export { sampleIps, sampleIpv6 } from "./sample.ts";
