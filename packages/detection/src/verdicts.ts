import { type DetectionConfig, defaultDetectionConfig } from "./config.ts";
import {
  addReason,
  type FlagRecord,
  type FlagUpdate,
  fingerprint,
  flagId,
  newFlag,
  type ScoredReason,
  settle,
} from "./flag.ts";
import { afterChange } from "./learning.ts";
import { emptyMemory, rememberIfRisky } from "./memory.ts";
import { escalate, type SessionRisk } from "./session.ts";
import { asnSourceKey, type SourceVerdict } from "./source.ts";
import { initialUserState, type UserState, type UserStep } from "./userState.ts";
import { count, plural } from "./wording.ts";

/** A source verdict the account keeps until a success from that source (or until it expires). */
export interface PendingVerdict {
  code: SourceVerdict["code"];
  network: string;
  at: number;
  details: Record<string, unknown>;
}

const DAY = 86_400_000;

/**
 * The account learns that a source attacking many accounts targets it. A session that already
 * succeeded from that source shortly before is escalated at once (verdicts travel through a topic
 * and may arrive after the success they concern); otherwise the verdict waits for the next success
 * from the source, and the account gets a sessionless flag as a target. Mutates and returns `state`.
 */
export function applySourceVerdict(
  state: UserState | undefined,
  verdict: SourceVerdict,
  config: DetectionConfig = defaultDetectionConfig,
): UserStep {
  const user = state ?? initialUserState();
  const flags: FlagUpdate[] = [];
  const pending: PendingVerdict = {
    code: verdict.code,
    network: verdict.network,
    at: verdict.at,
    details: verdict.details,
  };
  const known = user.targeted.find((t) => t.network === verdict.network && t.code === verdict.code);
  if (known === undefined || known.at < verdict.at) {
    user.targeted = prunePending([...user.targeted.filter((t) => t !== known), pending], user.newest, config);
  }

  // Whichever comes first, the verdict or the login: a login from the source within the look-back
  // before the verdict or the verdict's lifetime after it carries the verdict (`pendingFor`).
  for (const session of sessionsFrom(user, verdict, config)) {
    const before = fingerprint(session.flag);
    const reason = sourceReason(pending, session.familiar, config);
    const current = session.flag.reasons.find((known) => known.code === reason.code);
    if (current !== undefined) {
      const known = current.details ?? {};
      if (!stronger(verdict.network, verdict.details, String(known.network ?? ""), known)) continue;
      session.flag.reasons = session.flag.reasons.filter((known) => known !== current);
    }
    addReason(session.flag, reason);
    // The login counts the strongest verdict of each code once.
    if (!session.loginReasons.includes(reason.code)) {
      session.login += reason.points;
      session.loginReasons.push(reason.code);
    } else session.login += reason.points - (current?.points ?? 0);
    // As if the verdict had come before the login: what the session did since is judged again
    // against the riskier login, and the account remembers where it came from.
    user.memory ??= emptyMemory();
    rememberIfRisky(user.memory, session, session.startedAt, config);
    for (const code of session.activity) escalate(session, code, config, session.additive?.includes(code));
    const update = settle(session.flag, verdict.userId, config, before);
    if (update !== null) flags.push(update);
    // No event here, so nothing ends and nothing is learned: only withdrawing can happen.
    afterChange(user, null, session, config);
  }
  // A success the account has not seen yet (its stream lags the source's): the pending verdict will
  // score it when it arrives; a sessionless "nothing succeeded" flag would be wrong.
  if (verdict.details.success === true) return { state: user, flags };
  const update = targeted(user, verdict, config);
  if (update !== null) flags.push(update);
  return { state: user, flags };
}

/**
 * The verdicts an account keeps: those of the last `verdictTtlMs` before its newest event, the newest
 * `maxPendingVerdicts` of them, in order of time. A function of the verdicts it was sent and its newest event,
 * whatever the order they came in (verdicts and the account's events travel on different topics).
 */
export function prunePending(
  pending: readonly PendingVerdict[],
  newest: number,
  config: DetectionConfig,
): PendingVerdict[] {
  // Every event of a targeted account asks: most of the time nothing has expired.
  if (pending.length <= config.source.maxPendingVerdicts && settled(pending, newest, config))
    return pending as PendingVerdict[];
  return pending
    .filter((t) => newest - t.at <= config.source.verdictTtlMs)
    .sort(byTime)
    .slice(-config.source.maxPendingVerdicts);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byTime = (a: PendingVerdict, b: PendingVerdict): number =>
  a.at - b.at || compare(a.network, b.network) || compare(a.code, b.code);

/** Nothing to drop, and already in the kept order. */
function settled(pending: readonly PendingVerdict[], newest: number, config: DetectionConfig): boolean {
  for (let i = 0; i < pending.length; i++) {
    const verdict = pending[i] as PendingVerdict;
    if (newest - verdict.at > config.source.verdictTtlMs) return false;
    if (i > 0 && byTime(pending[i - 1] as PendingVerdict, verdict) >= 0) return false;
  }
  return true;
}

/**
 * The pending verdicts a login from `obs` answers to, the strongest of each code (its network's
 * before its provider's, then the largest attack): the same a verdict arriving after the login
 * leaves on its session (`applySourceVerdict`).
 */
export function pendingFor(
  targeted: readonly PendingVerdict[],
  obs: { at: number; network: string | null; asn: { number: number } | null },
  config: DetectionConfig,
): PendingVerdict[] {
  // Most accounts are nobody's target.
  if (targeted.length === 0) return [];
  const strongest = new Map<string, PendingVerdict>();
  for (const t of targeted) {
    if (obs.at < t.at - config.source.lookbackMs || !fromSource(t.network, obs.network, obs.asn?.number))
      continue;
    const known = strongest.get(t.code);
    if (known === undefined || stronger(t.network, t.details, known.network, known.details))
      strongest.set(t.code, t);
  }
  return [...strongest.values()].sort((a, b) => compare(a.code, b.code));
}

/**
 * Whether one verdict (its source and details) is stronger evidence than another: a network's over
 * an autonomous system's, then the larger attack, then the source named first. A total order, so
 * that the reason a session keeps does not depend on the order verdicts came in.
 */
function stronger(
  network: string,
  details: Record<string, unknown>,
  otherNetwork: string,
  other: Record<string, unknown>,
): boolean {
  const scope = (d: Record<string, unknown>) => (d.scope === "asn" ? 0 : 1);
  if (scope(details) !== scope(other)) return scope(details) > scope(other);
  const accounts = Number(details.accounts ?? 0);
  const otherAccounts = Number(other.accounts ?? 0);
  if (accounts !== otherAccounts) return accounts > otherAccounts;
  return network < otherNetwork;
}

/** Whether a login from `network` through autonomous system `asn` came from the verdict's source. */
export function fromSource(source: string, network: string | null, asn: number | null | undefined): boolean {
  return source === network || (asn != null && source === asnSourceKey(asn));
}

/** The sessions that began from the verdict's source from the look-back before it on, not vouched for. */
function sessionsFrom(user: UserState, verdict: SourceVerdict, config: DetectionConfig): SessionRisk[] {
  return user.sessions.filter(
    (session) =>
      fromSource(verdict.network, session.network, session.asn) &&
      session.status !== "legitimate" &&
      session.startedAt >= verdict.at - config.source.lookbackMs &&
      session.startedAt <= verdict.at + config.source.verdictTtlMs,
  );
}

/**
 * The account as a target without a success: one sessionless flag per code and attack episode (the
 * day the attack began), merged from every verdict about it in whatever order they come: the most
 * attempts, the widest span, the reason of the strongest verdict (`stronger`).
 */
function targeted(user: UserState, verdict: SourceVerdict, config: DetectionConfig): FlagUpdate | null {
  const since = typeof verdict.details.windowStart === "number" ? verdict.details.windowStart : verdict.at;
  const key = `${verdict.code}@${Math.floor(since / DAY)}`;
  let flag: FlagRecord | undefined = user.targetFlags[key];
  if (flag === undefined) {
    if (!keepEpisode(user, verdict.code, key, config)) return null;
    flag = newFlag(flagId(verdict.userId, verdict.code, Math.floor(since / DAY) * DAY), null, since, null);
    user.targetFlags[key] = flag;
  }
  const before = fingerprint(flag);
  const attempts = typeof verdict.details.accountAttempts === "number" ? verdict.details.accountAttempts : 1;
  flag.count = Math.max(flag.count, attempts);
  if (since < flag.firstAt) flag.firstAt = since;
  if (verdict.at > flag.lastAt) flag.lastAt = verdict.at;
  const accounts = Number(verdict.details.accounts ?? 0);
  const current = flag.reasons.find((reason) => reason.code === verdict.code);
  const known = current?.details ?? {};
  if (
    current === undefined ||
    stronger(verdict.network, verdict.details, String(known.network ?? ""), known)
  ) {
    const what = verdict.code === "password_spray" ? "a password spray" : "credential stuffing";
    const from = verdict.details.scope === "asn" ? `the networks of ${verdict.network}` : "one network";
    flag.reasons = flag.reasons.filter((reason) => reason !== current);
    addReason(flag, {
      code: verdict.code,
      points: config.source.targetedPoints,
      message: `This account is one of ${count(accounts)} targeted by ${what} from ${from} within an hour; no login from it has succeeded`,
      details: { ...verdict.details, network: verdict.network },
    });
  }
  return settle(flag, verdict.userId, config, before);
}

/**
 * Room for an episode's flag: the account keeps the newest `maxTargetEpisodes` per code. A verdict
 * about an older one than all of those, when they are that many, is too old to flag.
 */
function keepEpisode(user: UserState, code: string, key: string, config: DetectionConfig): boolean {
  const episodes = Object.keys(user.targetFlags)
    .filter((known) => known.startsWith(`${code}@`))
    .sort(byDay);
  if (episodes.length < config.source.maxTargetEpisodes) return true;
  if (byDay(key, episodes[0] as string) < 0) return false;
  delete user.targetFlags[episodes[0] as string];
  return true;
}

const byDay = (a: string, b: string): number => Number(a.split("@")[1]) - Number(b.split("@")[1]);

/** The reason a success from an attacking source carries; less when it came from the account's own network and device. */
export function sourceReason(
  verdict: PendingVerdict,
  familiar: boolean,
  config: DetectionConfig,
): ScoredReason {
  const d = verdict.details;
  const accounts = plural(Number(d.accounts ?? 0), "account");
  const failed = Math.round(Number(d.failureRatio ?? 0) * 100);
  const unknown = Math.round(Number(d.unknownShare ?? 0) * 100);
  const own = familiar
    ? "; the account's usual network and device, so likely the owner behind a shared address"
    : "";
  const from =
    d.scope === "asn"
      ? `an autonomous system (${verdict.network}${typeof d.org === "string" ? `, ${d.org}` : ""}) whose networks`
      : "a network that";
  const message =
    verdict.code === "password_spray"
      ? `Login from ${from} tried passwords on ${accounts} within an hour (${failed}% of them never got in): password spray${own}`
      : `Login from ${from} tried ${accounts} within an hour, ${unknown}% of them unknown here: credential stuffing${own}`;
  return {
    code: verdict.code,
    // A provider's other /24s are weaker evidence than the very network that attacked: its
    // customers (a VPN's, a cloud's) log in through it too.
    points: familiar
      ? config.source.familiarSuccessPoints
      : d.scope === "asn"
        ? config.source.asnSuccessPoints
        : config.source.successPoints,
    message,
    details: { ...d, network: verdict.network, familiar },
  };
}
