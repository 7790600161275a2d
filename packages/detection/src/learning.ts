import { distanceKm } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import type { Observation } from "./observation.ts";
import { countLogin, type PopulationState } from "./population.ts";
import { assess, type LevelStatus, learn, learnAsn, learnPair, rememberPlace, unlearn } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import type { UserState } from "./user.ts";
import { count, duration, placeLabel } from "./wording.ts";

const HOUR = 3_600_000;

// What the profile learns from a login, and when: learning an attacker's login would make the
// next one look familiar, so risky logins wait or are withdrawn.

/**
 * A login teaches the profile and the population. A medium-risk one waits until its session ends
 * quietly (an attacker's would escalate first); a high-risk one never does unless confirmed.
 */
export function learnLogin(
  user: UserState,
  population: PopulationState,
  session: SessionRisk,
  config: DetectionConfig,
  assessed?: LevelStatus[],
): void {
  const keys = session.keys;
  session.learned = true;
  if (keys === null) return;
  // At login time the scoring's statuses still describe the profile; later they must be redone.
  const statuses = assessed ?? assess(user.profile, keys);
  learn(user.profile, statuses, session.startedAt, config);
  learnAsn(user.profile, session.asn, session.startedAt);
  // Its impossible travel ended quietly: one more time the user made that trip (a VPN, roaming).
  if (session.pair != null) learnPair(user.profile, session.pair, session.startedAt);
  countLogin(population, statuses, config);
  const place = session.place;
  if (place !== null) {
    rememberPlace(
      user.profile,
      { ...place, at: session.startedAt, sessionId: session.flag.sessionId ?? "", asn: session.asn ?? null },
      config,
    );
  }
}

/**
 * Keeps what was learned consistent with what the session turned out to be: a suspicious session
 * stops being a travel reference, a high one is unlearned. Deferred learning completes when the
 * quiet session expires (hours after its end), never at its end: a laundering attacker logs out
 * quietly and comes back minutes later.
 */
export function afterChange(
  user: UserState,
  _population: PopulationState | null,
  session: SessionRisk,
  config: DetectionConfig,
): void {
  const score = session.flag.score;
  const cut = config.severity;
  if (score < cut.medium) return;
  const sessionId = session.flag.sessionId;
  if (user.profile.places.some((p) => p.sessionId === sessionId)) {
    user.profile.places = user.profile.places.filter((p) => p.sessionId !== sessionId);
  }
  if (
    score >= cut.high &&
    session.learned === true &&
    session.keys !== null &&
    session.status !== "legitimate"
  ) {
    unlearn(user.profile, session.keys, config);
    session.learned = "withdrawn";
  }
}

/**
 * The account's own network and device: a success from there is the owner even when the network
 * is shared with an attacker (carrier NAT, a proxy, a hosting block).
 */
export function familiar(statuses: readonly LevelStatus[]): boolean {
  let network = false;
  let device = false;
  let hasDeviceId = false;
  for (const status of statuses) {
    if (status.level === "network") network = status.seen;
    else if (status.level === "deviceId") {
      hasDeviceId = true;
      device = status.seen;
    } else if (status.level === "family" && !hasDeviceId) device = status.seen;
  }
  return network && device;
}

/**
 * The account's own device id from somewhere its owner could not be: in use in another country
 * at an impossible speed from this login, or in a session still open elsewhere. Device ids and user
 * agents are copied by infostealers with the cookies; the network and the clock are not. Marks the
 * device id unseen (so it is not familiar) and tells why.
 */
export function clonedDevice(
  user: UserState,
  session: SessionRisk,
  statuses: LevelStatus[],
  obs: Observation,
  config: DetectionConfig,
): ScoredReason | null {
  const id = statuses.find((s) => s.level === "deviceId");
  const place = obs.nonPublic ? null : obs.place;
  if (id === undefined || !id.seen || place === null) return null;
  for (const other of user.sessions) {
    if (other === session || other.keys?.deviceId !== id.key || other.place === null) continue;
    if (other.status === "compromised" || other.place.country === place.country) continue;
    const gap = Math.abs(obs.at - other.flag.lastAt);
    const certainKm = distanceKm(other.place, place) - other.place.accuracyKm - place.accuracyKm;
    if (certainKm <= config.travel.neighbourKm) continue;
    const speed = gap === 0 ? Number.POSITIVE_INFINITY : certainKm / (gap / HOUR);
    const concurrent = !other.ended && gap <= config.integrity.concurrentMs;
    if (speed <= config.travel.maxSpeedKmh && !concurrent) continue;
    id.seen = false;
    const family = statuses.find((s) => s.level === "family")?.key ?? "device";
    const how = concurrent ? "still in use" : "in use";
    return {
      code: "new_device",
      points: config.integrity.copiedDevicePoints,
      message: `Login with the device id of this account's ${family}, ${how} in ${placeLabel(other.place)} ${duration(gap)} earlier, ${count(certainKm)} km away: a copied device`,
      details: {
        level: "deviceId",
        copied: true,
        concurrent,
        certainKm: Math.round(certainKm),
        otherSessionId: other.id,
      },
    };
  }
  return null;
}
