import type { DetectionConfig } from "./config.ts";
import { defaultDetectionConfig } from "./config.ts";
import type { Observation } from "./observation.ts";

type Outcome = 0 | 1 | 2; // succeeded, failed, failed on an account that does not exist
type Attempt = [at: number, account: string, outcome: Outcome, userId: string | null];

/** One source network's login attempts over the window: plain JSON data, bounded. */
export interface SourceState {
  attempts: Attempt[];
  /** Attempts per account in the window. */
  accounts: Record<string, number>;
  distinct: number;
  failures: number;
  unknown: number;
  newest: number;
  /** Set while the source attacks; accounts are told once per episode (and again on every success). */
  hot: { code: SourceVerdict["code"]; since: number } | null;
  notified: Record<string, 1>;
}

/** A source's finding about one account it targets, sent back to that account's stream. */
export interface SourceVerdict {
  userId: string;
  code: "password_spray" | "credential_stuffing";
  network: string;
  at: number;
  details: Record<string, unknown>;
}

export function emptySource(): SourceState {
  return {
    attempts: [],
    accounts: {},
    distinct: 0,
    failures: 0,
    unknown: 0,
    newest: 0,
    hot: null,
    notified: {},
  };
}

/**
 * Fed with every login.* event re-keyed by network (ARCHITECTURE.md §4). Password spray: one source
 * failing on many accounts. Credential stuffing: the same with a share of accounts that do not
 * exist here, the mark of a leaked list from elsewhere. Mutates and returns `state`.
 */
export function observeSource(
  state: SourceState | undefined,
  obs: Observation,
  config: DetectionConfig = defaultDetectionConfig,
): { state: SourceState; verdicts: SourceVerdict[] } {
  const source = state ?? emptySource();
  const event = obs.event;
  const network = obs.network;
  if (network === null || (event.type !== "login.succeeded" && event.type !== "login.failed")) {
    return { state: source, verdicts: [] };
  }
  const unknown = event.type === "login.failed" && event.reason === "unknown_account";
  const outcome: Outcome = event.type === "login.succeeded" ? 0 : unknown ? 2 : 1;
  const userId = event.userId ?? null;
  // Prefixed: keys come from events, and a plain object answers to "constructor" by itself.
  const account =
    userId !== null ? `#${userId}` : `?${(event.type === "login.failed" && event.accountHint) || event.id}`;
  add(source, [obs.at, account, outcome, userId]);
  expire(source, config);

  const settings = config.source;
  const code = classify(source, config);
  const verdicts: SourceVerdict[] = [];
  const tell = (id: string, success: boolean, at: number): void => {
    const hot = source.hot as NonNullable<SourceState["hot"]>;
    source.notified[`#${id}`] = 1;
    verdicts.push({
      userId: id,
      code: hot.code,
      network,
      at,
      details: describe(source, id, success, hot.since),
    });
  };
  if (code !== null && source.hot === null) {
    source.hot = { code, since: (source.attempts[0] as Attempt)[0] };
    // Everyone already tried in the window learns it now, successes included: they may already be in.
    const succeeded = new Set(source.attempts.filter((a) => a[2] === 0 && a[3] !== null).map((a) => a[3]));
    for (const attempt of source.attempts) {
      const id = attempt[3];
      if (id !== null && source.notified[`#${id}`] === undefined) tell(id, succeeded.has(id), obs.at);
    }
    return { state: source, verdicts };
  }
  const least = Math.min(settings.spray.accounts, settings.stuffing.accounts);
  if (source.hot !== null && code === null && source.distinct < least * settings.coolDownShare) {
    // The attack has moved on: whoever logs in from here now is judged afresh.
    source.hot = null;
    source.notified = {};
  }
  if (source.hot !== null) {
    if (code === "credential_stuffing") source.hot.code = code;
    if (userId !== null && (outcome === 0 || source.notified[`#${userId}`] === undefined)) {
      tell(userId, outcome === 0, obs.at);
    }
  }
  return { state: source, verdicts };
}

function classify(source: SourceState, config: DetectionConfig): SourceVerdict["code"] | null {
  const { spray, stuffing } = config.source;
  const total = source.attempts.length;
  const failureRatio = source.failures / total;
  if (
    source.distinct >= stuffing.accounts &&
    failureRatio >= stuffing.failureRatio &&
    source.unknown / total >= stuffing.unknownShare
  ) {
    return "credential_stuffing";
  }
  if (source.distinct >= spray.accounts && failureRatio >= spray.failureRatio) return "password_spray";
  return null;
}

function describe(
  source: SourceState,
  userId: string,
  success: boolean,
  since: number,
): Record<string, unknown> {
  const total = source.attempts.length;
  return {
    accounts: source.distinct,
    attempts: total,
    failureRatio: Math.round((source.failures / total) * 100) / 100,
    unknownShare: Math.round((source.unknown / total) * 100) / 100,
    accountAttempts: source.accounts[`#${userId}`] ?? 0,
    windowStart: since,
    success,
  };
}

function add(source: SourceState, attempt: Attempt): void {
  source.attempts.push(attempt);
  const seen = source.accounts[attempt[1]] ?? 0;
  source.accounts[attempt[1]] = seen + 1;
  if (seen === 0) source.distinct += 1;
  if (attempt[2] !== 0) source.failures += 1;
  if (attempt[2] === 2) source.unknown += 1;
  if (attempt[0] > source.newest) source.newest = attempt[0];
}

function expire(source: SourceState, config: DetectionConfig): void {
  const oldest = source.newest - config.source.windowMs;
  const attempts = source.attempts;
  while (
    attempts.length > 0 &&
    ((attempts[0] as Attempt)[0] < oldest || attempts.length > config.source.maxAttempts)
  ) {
    const [, account, outcome] = attempts.shift() as Attempt;
    const left = (source.accounts[account] as number) - 1;
    if (left === 0) {
      delete source.accounts[account];
      source.distinct -= 1;
    } else source.accounts[account] = left;
    if (outcome !== 0) source.failures -= 1;
    if (outcome === 2) source.unknown -= 1;
  }
}
