import type { ReasonCode } from "@vigil/events";
import type { DetectionConfig, Level } from "./config.ts";
import { isFamilyName, UNKNOWN_DEVICE } from "./device.ts";
import type { ScoredReason } from "./flag.ts";
import { globalShare, type PopulationState } from "./population.ts";
import { type LevelStatus, type Profile, trustedAt } from "./profile.ts";
import { countryName, listing, plural } from "./wording.ts";

export interface Novelty {
  /** Weighted log2 likelihood ratio, attacker over user; negative when the login looks familiar. */
  bits: number;
  points: number;
  reasons: ScoredReason[];
}

const REASON_OF: Record<Level, ReasonCode> = {
  country: "new_country",
  region: "new_region",
  city: "new_region",
  network: "new_network",
  os: "new_device",
  family: "new_device",
  deviceId: "new_device",
};

const DAY = 86_400_000;

const CHAIN: Record<Level, "place" | "device"> = {
  country: "place",
  region: "place",
  city: "place",
  network: "place",
  os: "device",
  family: "device",
  deviceId: "device",
};

/**
 * Freeman et al. (NDSS 2016), per level of each hierarchy: log2 of P(value | attacker) over
 * P(value | user), where the attacker is a random member of the population. For a value the user
 * has never shown, both sides draw new values from the population, so the ratio reduces to one over
 * the user's own rate of new values at that level: a mobile user hopping networks is not surprised
 * by another network, a user with one home network is. A level whose coarser value is already new
 * adds nothing (a new country implies a new city), nor does a new network of a known autonomous system. Confidence grows with the logins learned: the
 * first login scores zero.
 */
export function novelty(
  profile: Profile,
  population: PopulationState,
  statuses: readonly LevelStatus[],
  at: number,
  config: DetectionConfig,
  asnSeen = false,
): Novelty {
  const settings = config.novelty;
  const confidence = Math.min(1, profile.logins / settings.learningLogins);
  if (confidence === 0) return { bits: 0, points: 0, reasons: [] };
  // Per hierarchy (place, device): what is new, and what is familiar. Plain locals: this runs on
  // every login.
  const unseen: Array<{ status: LevelStatus; bits: number }> = [];
  let newPlaceBits = 0;
  let newDeviceBits = 0;
  let familiarPlaceBits = 0;
  let familiarDeviceBits = 0;
  let newPlace = false;
  let newCountry = false;
  for (const status of statuses) {
    if (!status.parentKnown) continue;
    // A new /24 or /48 of the account's own autonomous system is its carrier handing out another address.
    if (status.level === "network" && !status.seen && asnSeen) continue;
    if (status.level === "country" && !status.seen) newCountry = true;
    const counts = profile.novelty[status.level];
    const novel = counts[0];
    const trials = counts[1];
    const pNew = (novel + settings.priorNovel) / (trials + settings.priorTrials);
    const place = CHAIN[status.level] === "place";
    if (!status.seen) {
      const weighted = -Math.log2(pNew) * settings.weights[status.level] * confidence;
      if (place) newPlaceBits += weighted;
      else newDeviceBits += weighted;
      if (place && status.level !== "network") newPlace = true;
      unseen.push({ status, bits: weighted });
      continue;
    }
    const entry = status.entry as NonNullable<LevelStatus["entry"]>;
    const parentWeight = status.parent === null ? profile.weight : (status.parent.entry?.n ?? profile.weight);
    const pUser = ((1 - pNew) * entry.n) / Math.max(parentWeight, entry.n);
    const ratio = Math.log2(globalShare(population, status, config) / pUser);
    let levelBits = Math.min(settings.familiarBits[1], Math.max(settings.familiarBits[0], ratio));
    if (trustedAt(entry, at)) levelBits = Math.min(0, levelBits);
    if (place) familiarPlaceBits += levelBits * settings.weights[status.level] * confidence;
    else familiarDeviceBits += levelBits * settings.weights[status.level] * confidence;
  }
  // A familiar country does not vouch for a new city in it, nor a familiar OS for a new device on
  // it: within one hierarchy only a fully familiar login earns reassurance. Across hierarchies it
  // does (the usual laptop from a new country is how travel looks).
  // Device ids and user agents are copied with stolen cookies; a country is not: from a new
  // country, the usual device earns no reassurance.
  const deviceBits =
    newDeviceBits > 0 ? newDeviceBits : newCountry ? Math.max(0, familiarDeviceBits) : familiarDeviceBits;
  const bits = (newPlaceBits > 0 ? newPlaceBits : familiarPlaceBits) + deviceBits;
  let points = Math.max(0, Math.min(settings.maxPoints, Math.round(bits * settings.pointsPerBit)));
  // A new place (city or coarser) on a new device at once is the textbook takeover: it counts even
  // while the history is too short for the ratios to say much.
  const both = newPlace && newDeviceBits > 0;
  if (both) points = Math.max(points, settings.newPlaceAndDevicePoints);
  if (points === 0) return { bits, points, reasons: [] };
  const named = unseen.filter((u) => u.bits >= settings.reasonBits || (both && u.status.level !== "network"));
  return { bits, points, reasons: explain(profile, statuses, named, points, at) };
}

/** One reason per code (the coarsest new level speaks for it), sharing the points by contribution. */
function explain(
  profile: Profile,
  statuses: readonly LevelStatus[],
  fresh: Array<{ status: LevelStatus; bits: number }>,
  points: number,
  at: number,
): ScoredReason[] {
  const byCode = new Map<ReasonCode, { status: LevelStatus; bits: number }>();
  for (const item of fresh) {
    const code = REASON_OF[item.status.level];
    const known = byCode.get(code);
    if (known === undefined) byCode.set(code, { ...item });
    else known.bits += item.bits;
  }
  const total = [...byCode.values()].reduce((sum, item) => sum + item.bits, 0);
  // Largest remainder, so that the reasons' points add up to exactly the novelty's points.
  const items = [...byCode].map(([code, item]) => {
    const exact = (points * item.bits) / total;
    return { code, item, share: Math.floor(exact), rest: exact - Math.floor(exact) };
  });
  let left = points - items.reduce((sum, i) => sum + i.share, 0);
  for (const i of [...items].sort((a, b) => b.rest - a.rest)) {
    if (left <= 0) break;
    i.share += 1;
    left -= 1;
  }
  const reasons: ScoredReason[] = [];
  for (const { code, item, share } of items) {
    if (share <= 0) continue;
    reasons.push({
      code,
      points: share,
      message: message(profile, statuses, item.status, at),
      details: { level: item.status.level, bits: Math.round(item.bits * 100) / 100, logins: profile.logins },
    });
  }
  return reasons;
}

function message(
  profile: Profile,
  statuses: readonly LevelStatus[],
  status: LevelStatus,
  at: number,
): string {
  const days = profile.firstAt === null ? 0 : Math.max(1, Math.round((at - profile.firstAt) / DAY));
  const history = `${plural(profile.logins, "login")} over ${plural(days, "day")}`;
  const known = usual(profile, status.level);
  const city = statuses.find((s) => s.level === "city")?.key;
  switch (status.level) {
    case "country": {
      const names = known.map(countryName);
      const only = names.length === 1 ? "has only been used from" : "has been used from";
      const here = city === undefined ? countryName(status.key) : cityLabel(city);
      return `Login from ${here}; this account ${only} ${listing(names, "country", 3)} (${history})`;
    }
    case "region":
    case "city": {
      // Cities read better than subdivision codes, so both levels are told by city where known.
      const here = cityLabel(city ?? status.key);
      const cities = usual(profile, "city");
      const usualHere = listing((cities.length > 0 ? cities : known).map(cityLabel), "place");
      return `Login from ${here}, a ${status.level} this account has not used before (usually ${usualHere}; ${history})`;
    }
    case "network":
      return `Login from a network this account has not used before (${plural(known.length, "network")} known from ${history})`;
    default: {
      const families = usual(profile, "family").filter(isFamilyName);
      const named = statuses.find((s) => s.level === "family")?.key;
      const family = named !== undefined && isFamilyName(named) ? named : UNKNOWN_DEVICE;
      const usualDevices =
        families.length > 0 ? `usually ${listing(families, "device")}; ${history}` : history;
      if (status.level === "deviceId") {
        const which = family === UNKNOWN_DEVICE ? family : `a ${family} device`;
        return `Login from ${which} this account has not used before (${usualDevices})`;
      }
      return `Login from ${family}, a device this account has not used before (${usualDevices})`;
    }
  }
}

/** The profile's values at a level, most used first. */
function usual(profile: Profile, level: Level): string[] {
  return Object.entries(profile.values[level])
    .filter(([, entry]) => entry.compromised !== true)
    .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
    .map(([key]) => key);
}

/** "Hamburg, Germany" for "DE/HH/Hamburg"; "region HH, Germany" for "DE/HH". */
function cityLabel(key: string): string {
  const [country = "", region = "", city = ""] = key.split("/");
  if (city !== "") return `${city}, ${countryName(country)}`;
  return `region ${region}, ${countryName(country)}`;
}
