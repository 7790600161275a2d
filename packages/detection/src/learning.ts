import { distanceKm } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import { addReason, type ScoredReason } from "./flag.ts";
import type { Observation } from "./observation.ts";
import { countLogin, type PopulationState } from "./population.ts";
import {
  assess,
  type LevelStatus,
  learn,
  learnAsn,
  learnPair,
  type ReferencePlace,
  rememberPlace,
  unlearn,
} from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import type { UserState } from "./userState.ts";
import { count, duration, placeLabel } from "./wording.ts";

// What the profile learns from a login, and when: learning an attacker's login would make the
// next one look familiar, so risky logins wait or are withdrawn.

/**
 * A login teaches the profile and the population. A medium-risk one waits until its session ends
 * quietly (an attacker's would escalate first); a high-risk one never does unless confirmed.
 */
export function learnLogin(
  user: UserState,
  population: PopulationState | null,
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
  if (population !== null) countLogin(population, statuses, config);
  const place = session.place;
  if (place !== null) {
    rememberPlace(
      user.profile,
      {
        ...place,
        at: session.startedAt,
        sessionId: session.flag.sessionId ?? "",
        asn: session.asn ?? null,
        mobile: session.mobile === true,
      },
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
  if (isReference(user.profile.places, sessionId)) {
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

// A loop, not `some` with a closure: every event of a flagged session asks.
function isReference(places: readonly ReferencePlace[], sessionId: string | null): boolean {
  for (const place of places) if (place.sessionId === sessionId) return true;
  return false;
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
 * The account's own device id, logged in from another country, while the session it came from
 * keeps being used from its own place: two copies of one device at once. An infostealer copies
 * the device id and user agent with the cookies; the network and the clock are not copied. (A
 * device seen far away minutes after its last use at home is a VPN or a flight as often as a copy:
 * only use of the original after the far login tells them apart.) Returns the copy's session.
 */
export function copyOf(
  user: UserState,
  session: SessionRisk,
  obs: Observation,
  config: DetectionConfig,
): SessionRisk | null {
  const deviceId = session.keys?.deviceId;
  const home = session.place;
  if (deviceId === undefined || home === null || session.hijacked != null || obs.network === null)
    return null;
  const sameNetwork =
    obs.network === session.network ||
    (obs.asn !== null && session.asn != null && obs.asn.number === session.asn);
  if (!sameNetwork) return null;
  for (const other of user.sessions) {
    // What the session record itself says first: most sessions began before this one, and
    // their keys and place are further records to read.
    if (other === session || other.ended || other.status !== "open" || other.copied === true) continue;
    if (other.startedAt <= session.startedAt || other.startedAt > obs.at) continue;
    if (other.keys?.deviceId !== deviceId || other.place === null) continue;
    if (other.place.country === home.country) continue;
    if (obs.at - other.flag.lastAt > config.integrity.concurrentMs) continue;
    const certainKm = distanceKm(other.place, home) - other.place.accuracyKm - home.accuracyKm;
    if (certainKm <= config.travel.neighbourKm) continue;
    other.copied = true;
    const family = other.keys?.family ?? "device";
    const reason: ScoredReason = {
      code: "new_device",
      points: config.integrity.copiedDevicePoints,
      message: `Login with the device id of this account's ${family} from ${placeLabel(other.place)} while the device kept being used in ${placeLabel(home)}, ${count(certainKm)} km away (${duration(obs.at - other.startedAt)} later): a copied device`,
      details: {
        level: "deviceId",
        copied: true,
        certainKm: Math.round(certainKm),
        originalSessionId: session.id,
      },
    };
    addReason(other.flag, reason);
    other.login += reason.points;
    if (!other.loginReasons.includes("new_device")) other.loginReasons.push("new_device");
    other.hijacked = "strong";
    return other;
  }
  return null;
}
