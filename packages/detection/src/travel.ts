import { distanceKm, type Place } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import type { ReferencePlace } from "./profile.ts";
import { count, duration, placeLabel } from "./wording.ts";

const HOUR = 3_600_000;

/**
 * Speed between this login and the nearest earlier located login of the account (or the nearest
 * later one when this login arrives late), after subtracting both places' accuracy radii: geoip is
 * only sure to within those, so only the distance beyond them is certain travel. Places within the
 * neighbour distance, or in the same city, are never impossible. Unknown and non-public places
 * never are either.
 */
export function impossibleTravel(
  places: readonly ReferencePlace[],
  place: Place | null,
  at: number,
  config: DetectionConfig,
): ScoredReason | null {
  if (place === null || places.length === 0) return null;
  const from = reference(places, at);
  if (from.country === place.country && from.city !== null && from.city === place.city) return null;
  const km = distanceKm(from, place);
  const certainKm = km - from.accuracyKm - place.accuracyKm;
  if (certainKm <= config.travel.neighbourKm) return null;
  const elapsed = Math.abs(at - from.at);
  const speed = elapsed === 0 ? Number.POSITIVE_INFINITY : certainKm / (elapsed / HOUR);
  if (speed <= config.travel.maxSpeedKmh) return null;
  const [earlier, later] =
    from.at <= at ? [placeLabel(from), placeLabel(place)] : [placeLabel(place), placeLabel(from)];
  const shown = Number.isFinite(speed) ? `${count(speed)} km/h` : "no time at all";
  return {
    code: "impossible_travel",
    points: config.travel.points,
    message: `Travelled ${count(km)} km in ${duration(elapsed)} (${shown}) from ${earlier} to ${later}`,
    details: {
      distanceKm: Math.round(km),
      certainKm: Math.round(certainKm),
      minutes: Math.round(elapsed / 60_000),
      speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
      from: { country: from.country, city: from.city },
      to: { country: place.country, city: place.city },
      previousSessionId: from.sessionId,
    },
  };
}

/** The latest reference at or before `at`; the earliest after it for a late login. */
function reference(places: readonly ReferencePlace[], at: number): ReferencePlace {
  let chosen = places[0] as ReferencePlace;
  for (const candidate of places) {
    if (candidate.at <= at) chosen = candidate;
    else break;
  }
  return chosen;
}
