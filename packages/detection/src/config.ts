import type { Severity } from "@vigil/events";

/**
 * Every threshold, weight and bound of the engine, in one place. The defaults are tuned against the
 * simulator's population (docs/quality.md); `configure` derives a variant for tests or experiments.
 * Times are milliseconds of event time, distances km, scores points on the 0–100 flag scale.
 */
export interface DetectionConfig {
  /** Lowest score of each severity. Below `low` no flag is raised at all. */
  severity: Record<Severity, number>;
  /** Events may arrive this much older than the newest seen for the account and still teach the profile. */
  lateToleranceMs: number;
  profile: {
    /** Old logins weigh half as much after this long. */
    halfLifeMs: number;
    /** Decay is applied at most this often (keeps per-login cost flat). */
    decayStepMs: number;
    /** Entries whose decayed weight falls below this are forgotten (trusted ones never). */
    forgetBelow: number;
    /** At most this many values per feature; the weakest untrusted one goes first. */
    maxValues: Record<Level, number>;
    /** Recent located logins kept as references for impossible travel. */
    maxPlaces: number;
    /** Weight added to a value the user confirmed ("it was me", legitimate resolution). */
    trustedWeight: number;
    /** How long an owner's "it was me" keeps the session's place and device kind trusted. */
    ownerTrustMs: number;
  };
  novelty: {
    /** Logins before novelty counts fully; confidence grows linearly up to it (first login: zero). */
    learningLogins: number;
    /** Beta prior of the user's rate of new values: (novel + a) / (trials + b). */
    priorNovel: number;
    priorTrials: number;
    /** Hierarchy weights (Freeman et al.): how much each level's surprise counts. */
    weights: Record<Level, number>;
    /** A familiar value's log-ratio is clamped to this range, in bits. */
    familiarBits: [min: number, max: number];
    /** Global share assumed for one device id within its family (ids are per user, not worth counting). */
    deviceIdShare: number;
    pointsPerBit: number;
    maxPoints: number;
    /** A level must add at least this many weighted bits to be named as a reason. */
    reasonBits: number;
    /** Least points of a login (not the first) new in both place (city or coarser) and device. */
    newPlaceAndDevicePoints: number;
  };
  travel: {
    /** Faster than a airliner after both accuracy radii are subtracted: impossible. */
    maxSpeedKmh: number;
    /**
     * Impossible beyond doubt from this speed on: a trip just above an airliner's speed (tailwinds,
     * routes, geolocation beyond its radius) scores half the points, growing to full here.
     */
    certainSpeedKmh: number;
    /** Places closer than this (after subtracting accuracy) are neighbours: never impossible. */
    neighbourKm: number;
    points: number;
    /** A place pair travelled this many times in sessions that ended quietly is the user's own. */
    learnedPair: number;
    /** Points of a trip already seen (not yet learned) on a device the account knows. */
    repeatPoints: number;
    /** Most points of a trip inside one country (gateways geolocate far from their customers). */
    domesticPoints: number;
  };
  bruteForce: {
    windowMs: number;
    /** Failures on the account in the window that raise a sessionless flag. */
    failures: number;
    /** Failures from the success's network before it that make it suspicious, and then very. */
    failuresBeforeSuccess: number;
    manyFailuresBeforeSuccess: number;
    /** Failures older than this before the newest are dropped from the state. */
    maxKept: number;
    /** The long window: a slow attack from many networks stays under the hourly counts. */
    dayMs: number;
    /** Failures over the day that raise the sessionless flag, and that make a success high. */
    dayFailures: number;
    dayFailuresBeforeSuccess: number;
    sessionlessPoints: number;
    successPoints: number;
    manySuccessPoints: number;
    /** A failed second factor from a network the account does not use: the password is known. */
    mfaFailedPoints: number;
  };
  source: {
    windowMs: number;
    /** Windows are judged per bucket of event time, once the watermark passes its end (sourceClock.ts). */
    bucketMs: number;
    /** A partition's watermark is its newest event less this: how far out of order a login may come. */
    graceMs: number;
    /**
     * A watermark that stopped moving (a partition that neither publishes nor says it is idle) and is
     * held back further than this behind a source's newest login no longer holds the source: its
     * older buckets are judged from its own logins, so that its state stays bounded.
     */
    maxHoldMs: number;
    /** Accounts kept per bucket and window (a bottom-k sample; more are estimated from it). */
    sample: number;
    /** Accounts remembered as told per attack episode (beyond it, one may be told twice). */
    maxNotified: number;
    /** An autonomous system is judged against `usualFactor` times its usual accounts per window, learned at `usualWeight` per quiet window. */
    asn: { usualFactor: number; usualWeight: number };
    spray: { accounts: number; failureRatio: number };
    stuffing: { accounts: number; failureRatio: number; unknownShare: number };
    /** The source stops being hot when its distinct accounts fall below this share of the threshold. */
    coolDownShare: number;
    /** How long a verdict makes the account's next success from that source suspicious. */
    verdictTtlMs: number;
    /** Verdicts an account keeps waiting for a success (the newest): bounds its state. */
    maxPendingVerdicts: number;
    /** Sessionless target flags an account keeps per code (attack episodes, the newest by the day they began). */
    maxTargetEpisodes: number;
    /** A session from the source that succeeded this long before the verdict arrived is escalated. */
    lookbackMs: number;
    /**
     * How far in event time an activity partition catching up may run ahead of the verdicts it can
     * still receive (the verdict clock, services' verdictGate.ts): less than a quiet session's
     * lifetime less `lookbackMs`, so that every verdict finds its session still held.
     */
    leadMs: number;
    successPoints: number;
    /** A success through an autonomous system that attacked (not its very network). */
    asnSuccessPoints: number;
    /** A success from the account's own network and device: likely the owner behind a shared address. */
    familiarSuccessPoints: number;
    targetedPoints: number;
  };
  activity: {
    points: {
      email: number;
      password: number;
      mfaDisabled: number;
      /** A second factor added or enabled (additive), or replaced by another (the intruder's own). */
      mfaAdded: number;
      mfaChanged: number;
      recovery: number;
      /** Settings that keep an intruder in or hide the account. */
      apiToken: number;
      username: number;
      privacy: number;
      /** The first additive change of a session that is not seriously risky: noted, barely scored (the next ones 0). */
      additive: number;
    };
    massWindowMs: number;
    /** Items weighted by kind: one album is worth many photos. */
    itemWeights: { photo: number; album: number; comment: number; other: number };
    massDeletion: { items: number; points: number };
    massModification: { items: number; points: number };
    /** A session whose login scored at least this is risky: its sensitive changes escalate. */
    riskyLoginScore: number;
    riskyPoints: number;
    /** Score floors of risky_session_activity: one activity, then two or more. */
    riskyFloor: number;
    riskyCriticalFloor: number;
  };
  integrity: {
    /** A session's network left its autonomous system nearby, in the same country, on the same device. */
    weakPoints: number;
    /** Another device or browser, another country, or an impossible speed since the login. */
    strongPoints: number;
    /** The same, into a country the account has never been used from. */
    newCountryPoints: number;
    /** The account's device id at once in another country (copied by an infostealer). */
    copiedDevicePoints: number;
    /** Another session of the same device active this recently (and not ended) is concurrent use. */
    concurrentMs: number;
    /** A network or device id first learned less than this long ago is still young. */
    youngMs: number;
    /** Weighted items deleted (or modified) within the week from young networks: a slow wipe. */
    youngDeletedItems: number;
    youngModifiedItems: number;
  };
  memory: {
    /** Risky sessions' contexts are kept this long, their risk halving every half-life. */
    ttlMs: number;
    halfLifeMs: number;
    maxContexts: number;
    /**
     * A network first used in a session this risky stays young for `ttlMs` once learned, not
     * `integrity.youngMs`, unless the owner vouches for the session.
     */
    groomedRisk: number;
    /** The same for a session on a device the account had never seen (the intruder's own machine). */
    groomedNewDeviceRisk: number;
    /** Content volume per account: bucket size, the week kept, and how fast the usual amount decays. */
    bucketMs: number;
    weekMs: number;
    usualHalfLifeMs: number;
    /** Weighted items over 24 h and 7 days that are a mass action, or `factor` times the usual, if more. */
    deleted: { dayItems: number; weekItems: number; factor: number };
    modified: { dayItems: number; weekItems: number; factor: number };
  };
  session: {
    /** Sessions without a flag are forgotten this long after their last event. */
    ttlMs: number;
    /** Flagged sessions are kept longer so feedback can still find them. */
    flaggedTtlMs: number;
    /**
     * A login that scored high on its own (nothing done in its session) is learned only after this
     * long without harm: a first VPN exit or trip must become familiar some day, an attacker's
     * quiet probe not within the hours a takeover takes.
     */
    quietHighMs: number;
    maxSessions: number;
    /** Expired sessions are swept at most this often (and whenever the bound is reached). */
    sweepMs: number;
  };
  population: {
    maxValues: Record<Exclude<Level, "deviceId">, number>;
    /** Global counts are halved when their total reaches this. */
    maxTotal: number;
  };
}

/** Profile features, coarse to fine: place (country → region → city → network) and device (os → family → id). */
export const LEVELS = ["country", "region", "city", "network", "os", "family", "deviceId"] as const;
export type Level = (typeof LEVELS)[number];
/** The level each one is conditioned on (Freeman's hierarchy); null at the top. */
export const PARENT: Record<Level, Level | null> = {
  country: null,
  region: "country",
  city: "region",
  network: "city",
  os: null,
  family: "os",
  deviceId: "family",
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const defaultDetectionConfig: DetectionConfig = {
  severity: { low: 20, medium: 40, high: 65, critical: 85 },
  lateToleranceMs: 5 * MINUTE,
  profile: {
    halfLifeMs: 45 * DAY,
    decayStepMs: DAY,
    forgetBelow: 0.05,
    maxValues: { country: 12, region: 16, city: 24, network: 32, os: 8, family: 12, deviceId: 16 },
    maxPlaces: 4,
    trustedWeight: 5,
    ownerTrustMs: 90 * DAY,
  },
  novelty: {
    learningLogins: 5,
    priorNovel: 1,
    priorTrials: 2,
    weights: { country: 1, region: 0.7, city: 0.4, network: 0.5, os: 0.7, family: 0.8, deviceId: 0.5 },
    familiarBits: [-3, 3],
    deviceIdShare: 1e-4,
    pointsPerBit: 5,
    maxPoints: 60,
    reasonBits: 1,
    newPlaceAndDevicePoints: 15,
  },
  travel: {
    maxSpeedKmh: 1000,
    certainSpeedKmh: 1500,
    neighbourKm: 300,
    points: 60,
    learnedPair: 2,
    repeatPoints: 35,
    domesticPoints: 30,
  },
  bruteForce: {
    windowMs: HOUR,
    failures: 10,
    failuresBeforeSuccess: 6,
    manyFailuresBeforeSuccess: 15,
    maxKept: 64,
    dayMs: DAY,
    dayFailures: 30,
    dayFailuresBeforeSuccess: 20,
    sessionlessPoints: 45,
    successPoints: 50,
    manySuccessPoints: 70,
    mfaFailedPoints: 70,
  },
  source: {
    windowMs: HOUR,
    bucketMs: 5 * MINUTE,
    graceMs: 10 * MINUTE,
    maxHoldMs: 4 * HOUR,
    sample: 128,
    maxNotified: 1024,
    asn: { usualFactor: 3, usualWeight: 0.02 },
    spray: { accounts: 20, failureRatio: 0.9 },
    stuffing: { accounts: 15, failureRatio: 0.8, unknownShare: 0.25 },
    coolDownShare: 0.5,
    verdictTtlMs: DAY,
    maxPendingVerdicts: 8,
    maxTargetEpisodes: 4,
    lookbackMs: HOUR,
    leadMs: 6 * HOUR,
    successPoints: 70,
    asnSuccessPoints: 40,
    familiarSuccessPoints: 10,
    targetedPoints: 25,
  },
  activity: {
    points: {
      email: 20,
      password: 15,
      mfaDisabled: 30,
      mfaAdded: 10,
      mfaChanged: 20,
      recovery: 20,
      apiToken: 20,
      username: 10,
      privacy: 10,
      additive: 5,
    },
    massWindowMs: HOUR,
    itemWeights: { photo: 1, album: 10, comment: 0.2, other: 1 },
    massDeletion: { items: 50, points: 25 },
    massModification: { items: 100, points: 20 },
    riskyLoginScore: 15,
    riskyPoints: 20,
    riskyFloor: 70,
    riskyCriticalFloor: 90,
  },
  integrity: {
    weakPoints: 20,
    strongPoints: 30,
    newCountryPoints: 35,
    copiedDevicePoints: 30,
    concurrentMs: 2 * HOUR,
    youngMs: 14 * DAY,
    youngDeletedItems: 100,
    youngModifiedItems: 200,
  },
  memory: {
    ttlMs: 30 * DAY,
    halfLifeMs: 5 * DAY,
    maxContexts: 8,
    groomedRisk: 30,
    groomedNewDeviceRisk: 20,
    bucketMs: 4 * HOUR,
    weekMs: 7 * DAY,
    usualHalfLifeMs: 14 * DAY,
    deleted: { dayItems: 100, weekItems: 250, factor: 5 },
    modified: { dayItems: 200, weekItems: 500, factor: 5 },
  },
  session: { ttlMs: 12 * HOUR, flaggedTtlMs: 14 * DAY, quietHighMs: 2 * DAY, maxSessions: 24, sweepMs: HOUR },
  population: {
    maxValues: { country: 400, region: 4000, city: 10_000, network: 20_000, os: 200, family: 2000 },
    maxTotal: 5_000_000,
  },
};

type Overrides<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : Overrides<T[K]> };
export type DetectionConfigOverrides = Overrides<DetectionConfig>;

/** The defaults with some values replaced, at any depth. */
export function configure(
  overrides: DetectionConfigOverrides,
  base = defaultDetectionConfig,
): DetectionConfig {
  return merge(base, overrides) as DetectionConfig;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (typeof base !== "object" || base === null || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over as Record<string, unknown>))
    out[key] = merge(out[key], value);
  return out;
}

/** The severity of a score by the configured cut-offs; scores below `low` still read as low. */
export function severityForScore(score: number, config: DetectionConfig = defaultDetectionConfig): Severity {
  const cut = config.severity;
  if (score >= cut.critical) return "critical";
  if (score >= cut.high) return "high";
  if (score >= cut.medium) return "medium";
  return "low";
}
