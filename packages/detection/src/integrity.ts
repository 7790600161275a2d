import { distanceKm, type Place } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import { novelty } from "./novelty.ts";
import type { Observation } from "./observation.ts";
import type { PopulationState } from "./population.ts";
import { asnKnown, assess, keysOfPlace, type LoginKeys, loginKeys, type Profile } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import { count, countryName, duration, listing, placeLabel } from "./wording.ts";

// A session is a cookie: whoever holds it acts as the owner without logging in. What the thief
// cannot copy is where they are (network, autonomous system, country) and how fast they could have
// got there; what they often do not copy is the browser. Every in-session event that carries an
// address, user agent or device id is held against the session's login context.

const HOUR = 3_600_000;

/**
 * The event says something about where or on what it happened. A session's expiry or revocation
 * is the platform's record, not a request from the device: the address it carries is where the
 * session was last seen, not where its device is now.
 */
export function carriesContext(obs: Observation): boolean {
  const event = obs.event;
  if (event.type === "session.ended" && (event.reason === "expired" || event.reason === "revoked"))
    return false;
  return obs.network !== null || obs.device !== null || (event.deviceId ?? "") !== "";
}

/** Takes the observation's context as the session's own (its login, or its first event when unseen). */
export function adoptContext(session: SessionRisk, obs: Observation, keys: LoginKeys = loginKeys(obs)): void {
  session.keys = keys;
  session.network = obs.network;
  session.asn = obs.asn?.number ?? null;
  session.asnOrg = obs.asn?.org ?? null;
  session.mobile = obs.device?.mobile === true;
  const place = obs.nonPublic ? null : obs.place;
  if (place !== null) {
    const { lat, lon, accuracyKm, country, city } = place;
    session.place = { lat, lon, accuracyKm, country, city };
  }
}

/**
 * Compares an in-session event with its session's login context. Carrier address changes inside
 * one autonomous system and one country are the owner's phone; without an ASN, a nearby network in
 * the same country is too (carrier NAT hands out addresses from many /24s). A context the profile
 * already knows as the owner's (their other network or carrier, in a known country, same device)
 * is not a hijack either. Returns null when nothing changed that way.
 */
export function contextChange(
  session: SessionRisk,
  profile: Profile,
  obs: Observation,
  config: DetectionConfig,
): ScoredReason | null {
  const keys = session.keys;
  if (keys === null) return null;
  const deviceId = obs.event.deviceId;
  const idChanged =
    deviceId !== undefined &&
    deviceId !== "" &&
    keys.deviceId !== undefined &&
    !sameDevice(keys.deviceId, deviceId);
  const family = obs.device?.family;
  const familyChanged = family !== undefined && keys.family !== undefined && family !== keys.family;
  const netChanged = obs.network !== null && session.network !== null && obs.network !== session.network;
  if (!idChanged && !familyChanged && !netChanged) return null;

  const place = obs.nonPublic ? null : obs.place;
  const from = session.place;
  const countryChanged = place !== null && keys.country !== undefined && place.country !== keys.country;
  const asn = obs.asn?.number ?? null;
  const sameAsn = asn !== null && session.asn != null && asn === session.asn;
  let certainKm = 0;
  let possibleKm = Number.POSITIVE_INFINITY;
  let speed = 0;
  if (place !== null && from !== null) {
    const km = distanceKm(from, place);
    certainKm = km - from.accuracyKm - place.accuracyKm;
    possibleKm = km + from.accuracyKm + place.accuracyKm;
    const hours = Math.max(0, obs.at - session.startedAt) / HOUR;
    speed = hours === 0 ? Number.POSITIVE_INFINITY : certainKm / hours;
  }
  const far = certainKm > config.travel.neighbourKm;
  const networkSeen = obs.network !== null && (profile.values.network[obs.network]?.n ?? 0) > 0;
  const impossible = far && speed > config.travel.maxSpeedKmh;

  // Within one country on the same device, a phone moving between Wi-Fi and its carrier (whose
  // addresses geolocate at a gateway, far or near) is the owner; so is anything nearby where neither
  // address has an ASN.
  const phone = session.mobile === true || obs.device?.mobile === true;
  const leap = sameAsn && far && !phone;
  let strength: "strong" | "weak" | null = null;
  if (idChanged || familyChanged) strength = "strong";
  // A laptop's line does not move hundreds of kilometres inside one provider; a phone's carrier does.
  else if (sameAsn) strength = leap ? "weak" : null;
  else if (countryChanged || (impossible && place?.country !== from?.country)) strength = "strong";
  // A phone's session goes wherever its owner goes, but a move that is not provably nearby, onto
  // a network and into a region the account has never used, is its token replayed elsewhere (a
  // carrier's login is placed too vaguely for the distance to say more).
  else if (phone)
    strength =
      possibleKm > config.travel.neighbourKm &&
      !networkSeen &&
      !asnKnown(profile, asn) &&
      regionNew(profile, place)
        ? "weak"
        : null;
  // A laptop's line that changes provider has moved, also when routing data knows only one side:
  // an address no data places cannot vouch for being the same line.
  else strength = far || asn !== null || session.asn != null ? "weak" : null;
  if (strength === null) return null;

  const deviceSame = !idChanged && !familyChanged;
  const countryKnown = place === null || (profile.values.country[place.country]?.n ?? 0) > 0;
  const networkKnown = networkSeen || (!leap && asnKnown(profile, asn));
  if (deviceSame && countryKnown && networkKnown) return null;

  const newCountry = place !== null && !countryKnown;
  const settings = config.integrity;
  const points =
    strength === "weak"
      ? settings.weakPoints
      : newCountry
        ? settings.newCountryPoints
        : settings.strongPoints;
  const before = describe(from, keys.family, session.asnOrg ?? null);
  const after = describe(place, family, obs.asn?.org ?? null);
  const changed = [
    ...(countryChanged ? ["country"] : []),
    ...(netChanged && !countryChanged ? ["network"] : []),
    ...(familyChanged ? ["browser"] : []),
    ...(idChanged && !familyChanged ? ["device id"] : []),
  ];
  const when = duration(Math.max(0, obs.at - session.startedAt));
  const pace = impossible && Number.isFinite(speed) ? `, ${count(speed)} km/h` : "";
  return {
    code: "session_context_changed",
    points,
    message: `The session moved from ${before} to ${after} ${when} after it began (${listing(changed, "change", 3)} changed${pace}); a stolen session cookie reads this way`,
    details: {
      strength,
      changed,
      from: { country: keys.country ?? null, family: keys.family ?? null, asn: session.asn ?? null },
      to: { country: place?.country ?? null, family: family ?? null, asn },
      certainKm: Math.round(Math.max(0, certainKm)),
      impossible,
    },
  };
}

/** The event is placed in a region the account has never been used from. */
function regionNew(profile: Profile, place: Place | null): boolean {
  const region = place === null ? undefined : keysOfPlace(place).region;
  return region !== undefined && (profile.values.region[region]?.n ?? 0) === 0;
}

/** The login's device key (`safeKey` of its id) names this device id: compared without building a key per event. */
function sameDevice(key: string, deviceId: string): boolean {
  return key.length === deviceId.length + 1 && key.charCodeAt(0) === 35 && key.endsWith(deviceId);
}

/**
 * An event of a session whose login Vigil never saw (or has forgotten) is judged by what it shows
 * against the profile, as an unknown login would be: a trusted session is one Vigil watched begin.
 */
export function unknownSessionRisk(
  session: SessionRisk,
  profile: Profile,
  population: PopulationState,
  obs: Observation,
  config: DetectionConfig,
): ScoredReason | null {
  const keys = loginKeys(obs);
  adoptContext(session, obs, keys);
  const statuses = assess(profile, keys);
  const known = novelty(profile, population, statuses, obs.at, config);
  let points = known.points;
  const country = keys.country;
  if (country !== undefined && profile.logins > 0 && (profile.values.country[country]?.n ?? 0) === 0) {
    points = Math.max(points, config.integrity.newCountryPoints);
  }
  if (points === 0) return null;
  const usualCountries = Object.entries(profile.values.country)
    .filter(([, e]) => e.n > 0 && e.compromised !== true)
    .sort((a, b) => b[1].n - a[1].n)
    .map(([code]) => countryName(code));
  const usual =
    usualCountries.length === 0
      ? ""
      : `; the account is usually used from ${listing(usualCountries, "country", 2)}`;
  const place = obs.nonPublic ? null : obs.place;
  return {
    code: "session_context_changed",
    points: Math.min(points, config.novelty.maxPoints),
    message: `Activity from ${describe(place, obs.device?.family, obs.asn?.org ?? null)} in a session whose login Vigil never saw${usual}`,
    details: {
      strength: "unknown",
      country: country ?? null,
      family: keys.family ?? null,
      asn: obs.asn?.number ?? null,
    },
  };
}

function describe(
  place: Pick<Place, "country" | "city"> | null,
  family: string | undefined,
  org: string | null,
): string {
  const where = place === null ? "an unknown place" : placeLabel(place);
  const network = org === null ? "" : ` via ${org}`;
  return `${where}${network}${family === undefined ? "" : ` on ${family}`}`;
}
