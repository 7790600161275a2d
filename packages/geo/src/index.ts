// @vigil/geo: what an IP address says about where a client is.

export { distanceKm, EARTH_RADIUS_KM } from "./distance.ts";
export type { IpVersion, ParsedIp } from "./ip.ts";
export { isIp, parseIp } from "./ip.ts";
export { isNonPublic } from "./non-public.ts";
export { networkPrefix } from "./prefix.ts";
