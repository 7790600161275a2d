import { geoipLite } from "./geoipLite.ts";
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

/** `text` is the canonical text of `address`. */
export function locateAddress(address: Address, text: string): Place | null {
  if (isNonPublicAddress(address)) return null;
  // IPv4 goes in as a number: geoip-lite's fast path, no re-parsing of the text.
  const hit = geoipLite().lookup(typeof address === "number" ? address : text);
  if (hit === null || hit.country === "") return null;
  const [lat, lon] = hit.ll;
  // A country-only database has no coordinates (ll is [null, null] at runtime despite the types).
  if (typeof lat !== "number" || typeof lon !== "number") return null;
  // GeoLite2 has ranges with a country but no coordinates; geoip-lite stores them as 0,0 (its area is
  // 0 too). Null Island would make every such login look like a flight to the Gulf of Guinea.
  if (lat === 0 && lon === 0) return null;
  const city = hit.city === "" ? null : hit.city;
  return {
    country: hit.country,
    region: hit.region === "" ? null : hit.region,
    city,
    lat,
    lon,
    accuracyKm: accuracyKm(hit.area, city),
  };
}

function accuracyKm(area: number | undefined, city: string | null): number {
  if (typeof area === "number" && area > 0) return area;
  return city === null ? DEFAULT_COUNTRY_ACCURACY_KM : DEFAULT_CITY_ACCURACY_KM;
}

/** Where geoip-lite places the address; null for non-public addresses and those it has no coordinates for. */
export function locate(ip: ParsedIp): Place | null {
  return locateAddress(addressOf(ip), ip.text);
}
