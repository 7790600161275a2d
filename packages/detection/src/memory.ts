import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import type { Observation } from "./observation.ts";
import type { Profile } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import { count, duration, placeLabel } from "./wording.ts";

// What the account went through recently, beyond any one session: an attacker who knows that
// escalation lives in a session splits the takeover over several (a quiet login first, the damage
// in the next one, or a slow wipe spread over a day).

/** A recent session whose login (or mid-session change) was risky, and where it came from. */
export interface RiskyContext {
  sessionId: string;
  at: number;
  /** The session's risk for escalation when it was recorded. */
  risk: number;
  /** Why, in words ("new country, new device"). */
  why: string;
  country: string | null;
  /** "Lagos, Nigeria". */
  label: string;
  asn: number | null;
  network: string | null;
  /** The session ended quietly and taught the profile: its context is the owner's now, its id still risky. */
  learned?: true;
  /** Its device was one the account had never seen. */
  newDevice?: true;
}

/** Per-account recent risk and content volume: plain JSON, bounded. */
export interface AccountMemory {
  risky: RiskyContext[];
  /** Content actions per time bucket over the last week: [bucket, deleted, modified] (weighted items). */
  volume: VolumeBucket[];
  /** Decayed volume of the buckets older than the week: the account's usual amount. */
  usual: [deleted: number, modified: number];
  usualAt: number | null;
  /** Sums of `volume` ([deleted, modified]), kept as buckets come and go (absent in older states). */
  week?: [deleted: number, modified: number];
  /** The same as `volume`, counting only sessions from a young network (absent until one acts). */
  young?: VolumeBucket[];
}

/** Weighted items a time bucket holds: [bucket, deleted, modified]. */
type VolumeBucket = [bucket: number, deleted: number, modified: number];
type ContentKind = "deleted" | "modified";

export function emptyMemory(): AccountMemory {
  return { risky: [], volume: [], usual: [0, 0], usualAt: null };
}

/** A recorded risk as it stands at `at`: it halves every half-life. */
function decayed(entry: RiskyContext, at: number, config: DetectionConfig): number {
  return entry.risk * 2 ** (-Math.max(0, at - entry.at) / config.memory.halfLifeMs);
}

/** The entry is what makes its learned network count as groomed (`groomedBy`). */
function witnesses(entry: RiskyContext, config: DetectionConfig): boolean {
  const { groomedRisk, groomedNewDeviceRisk } = config.memory;
  return (
    entry.learned === true &&
    entry.network != null &&
    entry.risk >= (entry.newDevice === true ? Math.min(groomedRisk, groomedNewDeviceRisk) : groomedRisk)
  );
}

/** Records (or strengthens) a risky session's context; the weakest goes beyond the bound. */
export function rememberRisk(
  memory: AccountMemory,
  session: SessionRisk,
  at: number,
  config: DetectionConfig,
): void {
  const settings = config.memory;
  memory.risky = memory.risky.filter((e) => at - e.at <= settings.ttlMs);
  const why = session.loginReasons.map((c) => c.replaceAll("_", " ")).join(", ");
  const known = memory.risky.find((e) => e.sessionId === session.id);
  // A hijacked session is risky where it moved to, not where its owner logged in.
  const where = session.intruder ?? {
    country: session.place?.country ?? session.keys?.country ?? null,
    label: session.place === null ? "an unknown place" : placeLabel(session.place),
    asn: session.asn ?? null,
    network: session.network,
  };
  const entry: RiskyContext = {
    sessionId: session.id,
    at: Math.max(at, known?.at ?? at),
    risk: Math.max(session.login, known === undefined ? 0 : decayed(known, at, config)),
    why: why || known?.why || "risky login",
    ...where,
  };
  if (session.newDevice ?? known?.newDevice) entry.newDevice = true;
  if (known !== undefined) memory.risky[memory.risky.indexOf(known)] = entry;
  else memory.risky.push(entry);
  if (memory.risky.length > settings.maxContexts) {
    // The strongest now go on, but half the room is kept for the witnesses of groomed networks
    // (`groomedBy`): fresh risky logins elsewhere, which anyone can make, must not push out the
    // record of how a learned network came; nor can eight groomed networks push out every fresh risk.
    const ranked = memory.risky.sort((a, b) => decayed(b, at, config) - decayed(a, at, config));
    const reserved = ranked
      .filter((e) => witnesses(e, config))
      .slice(0, Math.floor(settings.maxContexts / 2));
    const rest = ranked.filter((e) => !reserved.includes(e));
    memory.risky = [...reserved, ...rest.slice(0, settings.maxContexts - reserved.length)];
    memory.risky.sort((a, b) => a.at - b.at);
  }
}

/**
 * A login risky for more than its device alone is remembered where it came from, so that a second
 * session from there inherits its risk (laundering); called again when a verdict raises it later.
 */
export function rememberIfRisky(
  memory: AccountMemory,
  session: SessionRisk,
  at: number,
  config: DetectionConfig,
): void {
  if (
    session.login >= config.activity.riskyLoginScore &&
    session.loginReasons.some((c) => c !== "new_device")
  )
    rememberRisk(memory, session, at, config);
}

/** The owner vouched for the session: its context is no longer a reason for suspicion. */
export function forgetRisk(memory: AccountMemory | undefined, sessionId: string): void {
  if (memory !== undefined) memory.risky = memory.risky.filter((e) => e.sessionId !== sessionId);
}

/** The risk a session Vigil forgot (or never had) still carries from its recorded past. */
export function rememberedRisk(
  memory: AccountMemory | undefined,
  sessionId: string,
  at: number,
  config: DetectionConfig,
): { risk: number; why: string } | null {
  const entry = memory?.risky.find((e) => e.sessionId === sessionId);
  if (entry === undefined) return null;
  const risk = decayed(entry, at, config);
  if (risk < config.activity.riskyLoginScore) return null;
  return { risk, why: `${entry.why} at its start ${duration(at - entry.at)} earlier` };
}

/**
 * The strongest recent risk of another session from the same context as this one: the same /24 or
 * /48, the same autonomous system in the same country, or a country the profile has never learned.
 * A second session from where a suspicious one came from is the same person.
 */
export function inheritedRisk(
  memory: AccountMemory | undefined,
  profile: Profile,
  sessionId: string,
  obs: Observation,
  config: DetectionConfig,
): { risk: number; why: string } | null {
  if (memory === undefined || memory.risky.length === 0) return null;
  const place = obs.nonPublic ? null : obs.place;
  const asn = obs.asn?.number ?? null;
  const newCountry = place !== null && (profile.values.country[place.country]?.n ?? 0) === 0;
  let best: RiskyContext | null = null;
  let bestRisk = 0;
  for (const entry of memory.risky) {
    if (entry.learned === true || entry.sessionId === sessionId) continue;
    if (obs.at < entry.at || obs.at - entry.at > config.memory.ttlMs) continue;
    const same =
      (entry.network !== null && entry.network === obs.network) ||
      (entry.asn !== null && entry.asn === asn && entry.country === (place?.country ?? null)) ||
      (newCountry && entry.country === place?.country);
    if (!same) continue;
    const risk = decayed(entry, obs.at, config);
    if (risk > bestRisk) {
      best = entry;
      bestRisk = risk;
    }
  }
  if (best === null || bestRisk < config.activity.riskyLoginScore) return null;
  return {
    risk: bestRisk,
    why: `same place as a suspicious session from ${best.label} ${duration(obs.at - best.at)} earlier (${best.why})`,
  };
}

/**
 * The suspicious session that brought this network to the account, when the account has since
 * learned it (the session ended quietly) within the memory's time and the owner never vouched for
 * it: a place groomed by quiet visits until it looked familiar. Null when the network came otherwise.
 */
export function groomedBy(
  memory: AccountMemory | undefined,
  profile: Profile,
  network: string | null | undefined,
  at: number,
  config: DetectionConfig,
): RiskyContext | null {
  if (memory === undefined || network == null) return null;
  const since = profile.values.network[network]?.since;
  if (since === undefined) return null;
  for (const entry of memory.risky) {
    if (!witnesses(entry, config) || entry.network !== network || since < entry.at) continue;
    if (at - entry.at <= config.memory.ttlMs) return entry;
  }
  return null;
}

/** Where a series' buckets keep the kind's items. */
const column = (kind: ContentKind): 1 | 2 => (kind === "deleted" ? 1 : 2);

/** Adds `weight` items of `kind` to the bucket's slot in a series ascending by bucket (inserted in order when new; most are the last one). */
function addVolume(series: VolumeBucket[], bucket: number, kind: ContentKind, weight: number): void {
  let i = series.length;
  while (i > 0 && (series[i - 1] as VolumeBucket)[0] > bucket) i -= 1;
  let slot = series[i - 1];
  if (slot === undefined || slot[0] !== bucket) {
    slot = [bucket, 0, 0];
    series.splice(i, 0, slot);
  }
  slot[column(kind)] += weight;
}

/** The kind's items of the `span` buckets up to and including `bucket`, newest first. */
function windowVolume(
  series: readonly VolumeBucket[],
  bucket: number,
  span: number,
  kind: ContentKind,
): number {
  const c = column(kind);
  let sum = 0;
  for (let i = series.length - 1; i >= 0; i--) {
    const v = series[i] as VolumeBucket;
    if (v[0] <= bucket - span) break;
    if (v[0] <= bucket) sum += v[c];
  }
  return sum;
}

/** A mass deletion or modification reason, with its words and figures. */
function massReason(
  kind: ContentKind,
  message: string,
  details: Record<string, unknown>,
  config: DetectionConfig,
): ScoredReason {
  return {
    code: kind === "deleted" ? "mass_deletion" : "mass_modification",
    points:
      kind === "deleted" ? config.activity.massDeletion.points : config.activity.massModification.points,
    message,
    details,
  };
}

/**
 * Adds a content action to the account's week and tells whether the last 24 hours or 7 days hold
 * far more than the account's usual volume: a slow wipe spread over sessions and hours.
 */
export function accountVolume(
  memory: AccountMemory,
  kind: ContentKind,
  at: number,
  weight: number,
  config: DetectionConfig,
): ScoredReason | null {
  const settings = config.memory;
  const bucket = Math.floor(at / settings.bucketMs);
  if (memory.week === undefined) {
    memory.week = [0, 0];
    for (const v of memory.volume) {
      memory.week[0] += v[1];
      memory.week[1] += v[2];
    }
  }
  const totals = memory.week;
  addVolume(memory.volume, bucket, kind, weight);
  if (kind === "deleted") totals[0] += weight;
  else totals[1] += weight;
  const newest = (memory.volume.at(-1) as VolumeBucket)[0];
  const buckets = Math.round(settings.weekMs / settings.bucketMs);
  // Buckets leaving the week become the account's usual volume, which decays.
  const usualAt = newest * settings.bucketMs;
  const usual = memory.usual;
  if (memory.usualAt !== null && usualAt > memory.usualAt && (usual[0] > 0 || usual[1] > 0)) {
    const factor = 2 ** (-(usualAt - memory.usualAt) / settings.usualHalfLifeMs);
    usual[0] *= factor;
    usual[1] *= factor;
  }
  if (memory.usualAt === null || usualAt > memory.usualAt) memory.usualAt = usualAt;
  while (memory.volume.length > 0 && (memory.volume[0] as VolumeBucket)[0] <= newest - buckets) {
    const gone = memory.volume.shift() as VolumeBucket;
    const deleted = gone[1];
    const modified = gone[2];
    usual[0] += deleted;
    usual[1] += modified;
    totals[0] -= deleted;
    totals[1] -= modified;
  }
  const perDay = settings.usualHalfLifeMs / Math.LN2 / 86_400_000 || 1;
  const usualDaily = (kind === "deleted" ? usual[0] : usual[1]) / perDay;
  const dayBuckets = Math.round(86_400_000 / settings.bucketMs);
  const rule = settings[kind];
  const dayLimit = Math.max(rule.dayItems, rule.factor * usualDaily);
  const weekLimit = Math.max(rule.weekItems, rule.factor * 7 * usualDaily);
  // Most actions are far below both limits: the week's running sum says so without a scan.
  const week = kind === "deleted" ? totals[0] : totals[1];
  if (week < dayLimit && week < weekLimit) return null;
  const day = windowVolume(memory.volume, bucket, dayBuckets, kind);
  const overDay = day >= dayLimit;
  if (!overDay && week < weekLimit) return null;
  const amount = overDay ? day : week;
  const span = overDay ? "24 h" : "7 days";
  return massReason(
    kind,
    `Content worth ${count(amount)} photos ${kind} on this account across sessions in ${span} (usually about ${count(usualDaily)} a day)`,
    { span, weightedItems: Math.round(amount), usualDaily: Math.round(usualDaily * 10) / 10 },
    config,
  );
}

/**
 * Adds a content action from a session on a young network and tells whether the week's actions
 * from young networks add up to a mass action: a slow wipe from a place that is not yet the
 * owner's, however patiently spread out.
 */
export function youngVolume(
  memory: AccountMemory,
  kind: ContentKind,
  at: number,
  weight: number,
  config: DetectionConfig,
): ScoredReason | null {
  const settings = config.memory;
  const bucket = Math.floor(at / settings.bucketMs);
  const buckets = Math.round(settings.weekMs / settings.bucketMs);
  const series = (memory.young ?? []).filter((v) => v[0] > bucket - buckets);
  addVolume(series, bucket, kind, weight);
  memory.young = series;
  const week = windowVolume(series, bucket, buckets, kind);
  const limit = kind === "deleted" ? config.integrity.youngDeletedItems : config.integrity.youngModifiedItems;
  if (week < limit) return null;
  return massReason(
    kind,
    `Content worth ${count(week)} photos ${kind} on this account in 7 days from networks it had not used before`,
    { span: "7 days", weightedItems: Math.round(week), young: true },
    config,
  );
}

/** The session's login has been learned after a quiet end: its context no longer passes risk on. */
export function settleRisk(memory: AccountMemory | undefined, sessionId: string): void {
  const entry = memory?.risky.find((e) => e.sessionId === sessionId);
  if (entry !== undefined) entry.learned = true;
}
