// The state the engine keeps per account, and its empty value.
import { emptyFailures, type FailureWindow } from "./bruteForce.ts";
import type { FlagRecord, FlagUpdate } from "./flag.ts";
import { keyed } from "./keyed.ts";
import { type AccountMemory, emptyMemory } from "./memory.ts";
import { emptyProfile, type Profile } from "./profile.ts";
import type { SessionRisk } from "./session.ts";
import type { PendingVerdict } from "./verdicts.ts";

/** Everything the engine knows about one account: plain JSON data, bounded. Persist it as JSON. */
export interface UserState {
  version: 1;
  /** Latest event time seen: the reference for lateness. */
  newest: number;
  profile: Profile;
  /** Open and recent sessions, oldest first; a few, so a scan beats a keyed record. */
  sessions: SessionRisk[];
  /** When sessions were last swept for expiry. */
  sweptAt: number;
  failures: FailureWindow;
  /** Source verdicts waiting for a success from that source. */
  targeted: PendingVerdict[];
  /** Sessionless flags of the account as a target of spray or stuffing, by code and episode ("code@day"). */
  targetFlags: Record<string, FlagRecord>;
  /** Recent risk and content volume across sessions (absent in states written before it existed). */
  memory?: AccountMemory;
}

export interface UserStep {
  state: UserState;
  /** Flags raised or changed by this event; usually none, sometimes one. */
  flags: FlagUpdate[];
}

export function initialUserState(): UserState {
  return {
    version: 1,
    newest: 0,
    profile: emptyProfile(),
    sessions: [],
    sweptAt: 0,
    failures: emptyFailures(),
    targeted: [],
    targetFlags: keyed(),
    memory: emptyMemory(),
  };
}
