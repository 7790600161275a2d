import type { Location } from "@vigil/events";

/** How familiar one feature of the flagged login was: how often the account used it before. */
export interface Familiarity {
  value: string | null;
  /** Earlier logins (among those looked at) with the same value; 0 means new to the account. */
  earlierLogins: number;
  firstSeenAt: string | null;
}

export interface LoginNovelty {
  device: Familiarity;
  network: Familiarity;
  country: Familiarity;
  /** How many earlier logins were compared, and since when. */
  comparedLogins: number;
  comparedSince: string | null;
}

interface LoginFeatures {
  occurredAt: string;
  device: string | null;
  network: string | null;
  location: Location | null;
}

const FEATURES = {
  device: (l: LoginFeatures) => l.device,
  network: (l: LoginFeatures) => l.network,
  country: (l: LoginFeatures) => l.location?.country ?? null,
};

/**
 * The flagged login's device, network and country against the account's logins before it: facts
 * an analyst can check, independent of which novelty reasons the engine chose to report.
 */
export function loginNovelty(
  login: LoginFeatures | null,
  logins: readonly LoginFeatures[],
): LoginNovelty | null {
  if (login === null) return null;
  const earlier = logins.filter((l) => l.occurredAt < login.occurredAt);
  const familiarity = (feature: (l: LoginFeatures) => string | null): Familiarity => {
    const value = feature(login);
    const same = value === null ? [] : earlier.filter((l) => feature(l) === value);
    const first = same.reduce<string | null>(
      (min, l) => (min === null || l.occurredAt < min ? l.occurredAt : min),
      null,
    );
    return { value, earlierLogins: same.length, firstSeenAt: first };
  };
  const since = earlier.reduce<string | null>(
    (min, l) => (min === null || l.occurredAt < min ? l.occurredAt : min),
    null,
  );
  return {
    device: familiarity(FEATURES.device),
    network: familiarity(FEATURES.network),
    country: familiarity(FEATURES.country),
    comparedLogins: earlier.length,
    comparedSince: since,
  };
}
