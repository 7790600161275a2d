import { cityOfIpv4, cityOfIpv6 } from "./cityFile.ts";
import type { Address, ParsedIp } from "./ip.ts";
import { addressOf } from "./ip.ts";
import { isNonPublicAddress } from "./nonPublic.ts";

export interface Place {
  /** ISO 3166-1 alpha-2 (geoip-lite also uses "XK" for Kosovo). */
  country: string;
  /** Subdivision code without the country, as geoip-lite gives it ("ENG", "CA", "75"), or null. */
  region: string | null;
  city: string | null;
  lat: number;
  lon: number;
  /** Radius around lat/lon the address is likely within. */
  accuracyKm: number;
}

// Fallback radii when geoip-lite has no accuracy radius: a metro area when the city is known, a
// mid-sized country otherwise. Wide on purpose, so a missing radius never makes travel look impossible.
export const DEFAULT_CITY_ACCURACY_KM = 50;
export const DEFAULT_COUNTRY_ACCURACY_KM = 500;

/** Where geoip-lite's city data places the address (see locate). */
export function locateAddress(address: Address): Place | null {
  if (isNonPublicAddress(address)) return null;
  const hit = typeof address === "number" ? cityOfIpv4(address) : cityOfIpv6(address);
  if (hit === null) return null;
  // GeoLite2 has ranges with a country but no coordinates; geoip-lite stores them as 0,0 (its area is
  // 0 too). Null Island would make every such login look like a flight to the Gulf of Guinea.
  if (hit.lat === 0 && hit.lon === 0) return null;
  const city = hit.city === "" ? null : hit.city;
  return {
    country: hit.country,
    region: hit.region === "" ? null : hit.region,
    city,
    lat: hit.lat,
    lon: hit.lon,
    accuracyKm: accuracyKm(hit.area, city),
  };
}

function accuracyKm(area: number, city: string | null): number {
  if (area > 0) return area;
  return city === null ? DEFAULT_COUNTRY_ACCURACY_KM : DEFAULT_CITY_ACCURACY_KM;
}

/** Where geoip-lite places the address; null for non-public addresses and those it has no coordinates for. */
export function locate(ip: ParsedIp): Place | null {
  return locateAddress(addressOf(ip));
}
