import type { DetectionConfig } from "./config.ts";
import { countLogin, type PopulationState } from "./population.ts";
import { assess, type LevelStatus, learn, rememberPlace, unlearn } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import type { UserState } from "./user.ts";

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
  countLogin(population, statuses, config);
  const place = session.place;
  if (place !== null) {
    rememberPlace(
      user.profile,
      { ...place, at: session.startedAt, sessionId: session.flag.sessionId ?? "" },
      config,
    );
  }
}

/**
 * Keeps what was learned consistent with what the session turned out to be: a quiet end completes
 * deferred learning; a suspicious session stops being a travel reference, a high one is unlearned.
 */
export function afterChange(
  user: UserState,
  population: PopulationState | null,
  session: SessionRisk,
  config: DetectionConfig,
): void {
  const score = session.flag.score;
  const cut = config.severity;
  if (population !== null && session.ended && session.learned === "deferred" && score < cut.high) {
    learnLogin(user, population, session, config);
    return;
  }
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
