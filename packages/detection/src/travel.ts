import { distanceKm, type Place } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import type { Profile, ReferencePlace } from "./profile.ts";
import { count, duration, placeLabel } from "./wording.ts";

const HOUR = 3_600_000;

/** What the login's network says about its place: geoip of a carrier's address is its home. */
export interface Carrier {
  asn: number | null;
  /** The account's own carrier (or network) and device in a country it knows: roaming tunnels home. */
  ownCarrier: boolean;
  /**
   * The login's device is one the account knows: then a phone's earlier login is no reference (its
   * carrier address geolocates at home while it roams with its owner).
   */
  knownDevice?: boolean;
}

/** An impossible trip, or one the user keeps making (reason null), with the place pair it is. */
export interface Travel {
  reason: ScoredReason | null;
  pair: string;
}

/**
 * Speed between this login and the nearest earlier located login of the account (or the nearest
 * later one when this login arrives late), after subtracting both places' accuracy radii: geoip is
 * only sure to within those, so only the distance beyond them is certain travel. Places within the
 * neighbour distance, or in the same city, are never impossible. Unknown and non-public places
 * never are either. Nor is the same carrier at both ends, or the account's own carrier and device
 * (a phone roaming abroad still geolocates at home), nor a place pair the user has made quietly
 * often enough (a VPN exit and home): those return the pair with no reason.
 */
export function impossibleTravel(
  profile: Pick<Profile, "places" | "pairs"> & { logins?: number },
  place: Place | null,
  at: number,
  config: DetectionConfig,
  carrier: Carrier = { asn: null, ownCarrier: false },
): Travel | null {
  const places = profile.places;
  if (place === null || places.length === 0) return null;
  const from = reference(places, at, carrier.knownDevice === true);
  if (from.country === place.country && from.city !== null && from.city === place.city) return null;
  const km = distanceKm(from, place);
  const certainKm = km - from.accuracyKm - place.accuracyKm;
  if (certainKm <= config.travel.neighbourKm) return null;
  const elapsed = Math.abs(at - from.at);
  const speed = elapsed === 0 ? Number.POSITIVE_INFINITY : certainKm / (elapsed / HOUR);
  if (speed <= config.travel.maxSpeedKmh) return null;
  const pair = pairKey(from, place);
  const roaming = carrier.ownCarrier || (carrier.asn !== null && from.asn === carrier.asn);
  if (roaming || Math.round(profile.pairs?.[pair]?.n ?? 0) >= config.travel.learnedPair)
    return { reason: null, pair };
  // The same trip again on a device the account knows: its first time already raised a flag
  // (and a notice) that nobody answered "not me"; the repeat is a VPN or a commute until learned.
  const repeated = carrier.knownDevice === true && Math.round(profile.pairs?.[pair]?.seen ?? 0) >= 1;
  const [earlier, later] =
    from.at <= at ? [placeLabel(from), placeLabel(place)] : [placeLabel(place), placeLabel(from)];
  const shown = Number.isFinite(speed) ? `${count(speed)} km/h` : "no time at all";
  return {
    pair,
    reason: {
      code: "impossible_travel",
      points: travelPoints(profile.logins, speed, repeated, from.country === place.country, config),
      message: `Travelled ${count(km)} km in ${duration(elapsed)} (${shown}) from ${earlier} to ${later}${repeated ? ", a trip this device has made before" : ""}`,
      details: {
        distanceKm: Math.round(km),
        certainKm: Math.round(certainKm),
        minutes: Math.round(elapsed / 60_000),
        speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
        from: { country: from.country, city: from.city },
        to: { country: place.country, city: place.city },
        previousSessionId: from.sessionId,
      },
    },
  };
}

/**
 * Full points once the account has a history (the novelty's learning period) and the trip is
 * impossible beyond doubt; half on its first logins, when the reference itself may be the odd
 * place (a VPN exit, a trip) rather than home, and half for a trip just above an airliner's speed.
 * A repeated trip, or one inside one country (where a carrier's or an ISP's gateway often
 * geolocates hundreds of kilometres from its customer), counts for less: alone it stays below high;
 * the domestic cap takes the first logins' discount as well.
 */
function travelPoints(
  logins: number | undefined,
  speed: number,
  repeated: boolean,
  domestic: boolean,
  config: DetectionConfig,
): number {
  const settings = config.travel;
  const confidence = logins === undefined ? 1 : Math.min(1, logins / config.novelty.learningLogins);
  const margin = (speed - settings.maxSpeedKmh) / (settings.certainSpeedKmh - settings.maxSpeedKmh);
  const certainty = Math.min(1, margin);
  const points = Math.round(settings.points * (0.5 + 0.5 * confidence) * (0.5 + 0.5 * certainty));
  if (repeated) return Math.min(points, settings.repeatPoints);
  return domestic ? Math.min(points, Math.round(settings.domesticPoints * (0.5 + 0.5 * confidence))) : points;
}

/** The same two places in either order: "DE/Berlin|NG/Lagos". */
function pairKey(
  a: { country: string; city: string | null },
  b: { country: string; city: string | null },
): string {
  const one = `${a.country}/${a.city ?? ""}`;
  const two = `${b.country}/${b.city ?? ""}`;
  return one < two ? `${one}|${two}` : `${two}|${one}`;
}

/**
 * The latest reference at or before `at`; the earliest after it for a late login. For a known
 * device, phones and tablets count only when nothing else does.
 */
function reference(places: readonly ReferencePlace[], at: number, skipPhones: boolean): ReferencePlace {
  const skip = skipPhones && anyNotMobile(places);
  let chosen: ReferencePlace | undefined;
  for (const candidate of places) {
    if (skip && candidate.mobile === true) continue;
    if (chosen === undefined || candidate.at <= at) chosen = candidate;
    if (candidate.at > at) break;
  }
  return chosen as ReferencePlace;
}

// A loop, not `some` with a closure: every located login asks.
function anyNotMobile(places: readonly ReferencePlace[]): boolean {
  for (const place of places) if (place.mobile !== true) return true;
  return false;
}
