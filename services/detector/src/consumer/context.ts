import type { DetectionConfig, FlagUpdate, UserState } from "@vigil/detection";
import { type Notice, type Severity, severityRank, type Topics } from "@vigil/events";
import type { BatchWrite, DetectedFlag, OutboxMessage, Sql } from "@vigil/store";
import type { InboundMessage, OutboundMessage } from "../kafka/types.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { composeNotice } from "../notices/compose.ts";
import type { ClockMotion } from "./clockMotion.ts";
import type { Addresses } from "./enrich.ts";
import type { PoisonedMessages } from "./poison.ts";
import type { TrackedPopulation } from "./population.ts";
import type { AccountRouting } from "./routing.ts";
import type { UserCache } from "./userCache.ts";
import type { VerdictGate } from "./verdictGate.ts";
import type { ActivityWatermarks } from "./watermarks.ts";

/** What every batch handler needs; built once in the pipeline. */
export interface PlanContext {
  sql: Sql;
  groupId: string;
  topics: Topics;
  users: UserCache;
  population(partition: number): Promise<TrackedPopulation>;
  engine: DetectionConfig;
  /** Parsed, geolocated, hashed addresses (cached). */
  addresses: Addresses;
  maxFutureSkewMs: number;
  noticeMinSeverity: Severity;
  metrics: Metrics;
  log: Logger;
  /** Each activity partition's watermark towards the by-source stage. */
  watermarks: ActivityWatermarks;
  /** Whether each by-source partition's clock still moves (a stalled one stops holding busy sources). */
  clockMotion: ClockMotion;
  /** Messages the engine failed on: each plan runs the engine through `poisoned.score`. */
  poisoned: PoisonedMessages;
  /** Each account's own partition. */
  routing: AccountRouting;
  /** Which activity partitions wait for the verdicts they may still receive. */
  verdictGate: VerdictGate;
  /** Partitions of the activity and by-source topics. */
  partitions: { activity: number; bySource: number };
}

/** One batch of one partition, as a planner receives it. */
export interface PlanRequest {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** The wall time the batch is planned at (future events, notices). */
  at: Date;
  /** Also drop events whose ids the store holds: asked after the store refused a batch repeating one. */
  checkStored: boolean;
}

/** Plans the effects of one batch of one consumed topic (the topic's row in topicRoles.ts). */
export type Planner = (context: PlanContext, batch: PlanRequest) => Promise<BatchPlan>;

/** A batch's effects, ready for the store's one transaction, and what to remember once it commits. */
export interface BatchPlan {
  write: Partial<
    Pick<
      BatchWrite,
      | "events"
      | "userStates"
      | "sourceStates"
      | "partitionStates"
      | "partitionCounters"
      | "flags"
      | "notices"
      | "messages"
    >
  >;
  /** Counts what the plan did (metrics), once its write committed. */
  committed?: () => void;
  /** Messages published as the write is about to commit, at least once (their consumers deduplicate). */
  publish?: OutboundMessage[];
  /** User states to cache after commit, by user, as the JSON text written. */
  users?: Map<string, string>;
  /** Users the plan read: forgotten from the cache if the batch's commit fails (pipeline.ts says why). */
  touched?: string[];
}

/** Keeps the latest update of each flag of a batch, with the device family that triggered it. */
export class FlagCollector {
  readonly #flags = new Map<string, { flag: FlagUpdate; device: string | null }>();

  add(flags: FlagUpdate[], device: string | null): void {
    for (const flag of flags) {
      const previous = this.#flags.get(flag.id);
      this.#flags.set(flag.id, { flag, device: device ?? previous?.device ?? null });
    }
  }

  records(): DetectedFlag[] {
    return [...this.#flags.values()].map(({ flag }) => ({
      id: flag.id,
      userId: flag.userId,
      sessionId: flag.sessionId,
      severity: flag.severity,
      score: flag.score,
      reasons: flag.reasons,
      location: flag.location,
      firstEventAt: flag.firstEventAt,
      lastEventAt: flag.lastEventAt,
      eventCount: flag.eventCount,
    }));
  }

  /** Candidate notices for flags at or above the configured severity; the store keeps one per flag. */
  notices(minimum: Severity, now: string): Notice[] {
    const rank = severityRank(minimum);
    return [...this.#flags.values()]
      .filter(({ flag }) => severityRank(flag.severity) >= rank)
      .map(({ flag, device }) => composeNotice(flag, device, now));
  }
}

export type MessageList = OutboxMessage[];

/** Each changed state serialized once: the same text is written to the store and kept in the cache. */
export function serialize(states: Map<string, UserState>): Map<string, string> {
  const texts = new Map<string, string>();
  for (const [userId, state] of states) texts.set(userId, JSON.stringify(state));
  return texts;
}
