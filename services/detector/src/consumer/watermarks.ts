import {
  type DetectionConfig,
  idleWatermark,
  type PartitionWatermark,
  partitionWatermark,
} from "@vigil/detection";
import type { Topics } from "@vigil/events";
import { loadPartitionState, type PartitionKey, type Sql } from "@vigil/store";
import { z } from "zod";
import type { OutboundMessage } from "../kafka/types.ts";
import { markMessages } from "../messages.ts";
import { valueMatching } from "./decoded.ts";

const markSchema = z.object({
  watermark: z.object({
    partition: z.number().int().min(0),
    partitions: z.number().int().min(1),
    at: z.number(),
    idle: z.literal(true).optional(),
  }),
});

/** A mark read from the by-source topic; null for anything else. */
export function parseMark(value: Buffer | null): PartitionWatermark | null {
  return valueMatching(value, markSchema)?.watermark ?? null;
}

/** What partition_states keeps of an activity partition's progress: its newest event time. */
export interface Progress {
  newest?: number;
}

/** What an activity partition's progress is kept with. */
export interface ProgressOptions {
  sql: Sql;
  groupId: string;
  topics: Topics;
  engine: DetectionConfig;
  /** Partitions of the activity and by-source topics. */
  partitions: { activity: number; bySource: number };
}

/** An idle mark to publish: `publishedIdle(partition, at)` once it was. */
export interface IdleMark {
  at: number;
  messages: OutboundMessage[];
}

interface Partition {
  /** Newest event time committed (null until read from the store). */
  newest: number | null;
  /** The mark this replica last published for it, if any since it was assigned. */
  published: { at: number; idle: boolean } | null;
  /** Wall time of its last batch (or of its assignment) and the lag that batch left. */
  lastBatchAt: number;
  lag: number;
}

/**
 * Each activity partition's watermark towards the by-source stage (the protocol is in
 * @vigil/detection's sourceClock.ts): the newest event time it committed, the marks it publishes
 * after the logins they cover, and the idle mark of a partition with nothing to read.
 */
export class ActivityWatermarks {
  readonly #partitions = new Map<number, Partition>();
  readonly #sql: Sql;
  readonly #groupId: string;
  readonly #topics: Topics;
  readonly #config: DetectionConfig;
  readonly #counts: { activity: number; bySource: number };

  constructor(options: ProgressOptions) {
    this.#sql = options.sql;
    this.#groupId = options.groupId;
    this.#topics = options.topics;
    this.#config = options.engine;
    this.#counts = options.partitions;
  }

  #partition(partition: number, now = Date.now()): Partition {
    let known = this.#partitions.get(partition);
    if (known === undefined) {
      known = { newest: null, published: null, lastBatchAt: now, lag: 0 };
      this.#partitions.set(partition, known);
    }
    return known;
  }

  /** The newest event time the partition committed. */
  async newest(partition: number): Promise<number> {
    const known = this.#partition(partition);
    if (known.newest === null) {
      const key: PartitionKey = { groupId: this.#groupId, topic: this.#topics.activity, partition };
      known.newest = (await loadPartitionState<Progress>(this.#sql, key))?.newest ?? 0;
    }
    return known.newest;
  }

  /** The watermark of a newest event time. */
  watermarkOf(newest: number): number {
    return partitionWatermark(newest, this.#config);
  }

  /**
   * The marks a batch publishes after its logins when its watermark moved past the last one
   * published (or that one said idle); none otherwise.
   */
  marksAfter(partition: number, newest: number): OutboundMessage[] {
    const at = this.watermarkOf(newest);
    const published = this.#partition(partition).published;
    if (published !== null && !published.idle && published.at >= at) return [];
    return markMessages(
      this.#topics,
      { partition, partitions: this.#counts.activity, at },
      this.#counts.bySource,
    );
  }

  /** A batch of the partition starts. */
  started(partition: number, now: number): void {
    this.#partition(partition, now).lastBatchAt = now;
  }

  /** A batch committed, with its newest event time and the mark it published. */
  committed(partition: number, newest: number): void {
    const known = this.#partition(partition);
    known.newest = newest;
    const at = this.watermarkOf(newest);
    // Never behind a peek's: the watermark of the event the partition waited at, which it has now read.
    if (known.published === null || known.published.idle || known.published.at < at)
      known.published = { at, idle: false };
  }

  /**
   * The marks of a partition that waits before an event at `next` (verdictGate.ts): its watermark
   * once that event is read, published ahead of it (none if already). Nothing it reads later is
   * older than that watermark without being late, as after reading it.
   */
  async peek(partition: number, next: number): Promise<{ at: number; messages: OutboundMessage[] }> {
    const newest = Math.max(await this.newest(partition), next);
    return { at: this.watermarkOf(newest), messages: this.marksAfter(partition, newest) };
  }

  /** A peek's marks were published. */
  published(partition: number, at: number): void {
    this.#partition(partition).published = { at, idle: false };
  }

  /** A batch ended (committed, or its messages were all applied before), leaving `lag` behind it. */
  ended(partition: number, lag: number, now: number): void {
    const known = this.#partition(partition, now);
    known.lastBatchAt = now;
    known.lag = lag;
  }

  /**
   * The partitions that have had nothing to read for `idleMs` (their last batch reached the end,
   * bar a transaction marker) and have not said so yet, or whose idle mark the wall clock has since
   * moved (`idleWatermark`).
   */
  idlePartitions(now: number, idleMs: number): number[] {
    const idle: number[] = [];
    for (const [partition, known] of this.#partitions) {
      if (known.lag > 1 || now - known.lastBatchAt < idleMs) continue;
      const published = known.published;
      const moved =
        published?.idle !== true ||
        (known.newest !== null && idleWatermark(known.newest, now, this.#config) > published.at);
      if (moved) idle.push(partition);
    }
    return idle;
  }

  /** The idle mark of `partition` if it is still idle (see idlePartitions); null otherwise. */
  async idleMark(partition: number, now: number, idleMs: number): Promise<IdleMark | null> {
    if (!this.idlePartitions(now, idleMs).includes(partition)) return null;
    const at = idleWatermark(await this.newest(partition), now, this.#config);
    const published = this.#partition(partition).published;
    if (published?.idle === true && published.at >= at) return null;
    return {
      at,
      messages: markMessages(
        this.#topics,
        { partition, partitions: this.#counts.activity, at, idle: true },
        this.#counts.bySource,
      ),
    };
  }

  /** The idle mark of `partition` was published. */
  publishedIdle(partition: number, at: number): void {
    this.#partition(partition).published = { at, idle: true };
  }

  /** Keeps the partitions owned now; a newly owned one counts as having had a batch now. */
  retain(owned: number[], now: number): void {
    for (const partition of this.#partitions.keys()) {
      if (!owned.includes(partition)) this.#partitions.delete(partition);
    }
    for (const partition of owned) this.#partition(partition, now);
  }

  /** Nothing in memory about the partition can be trusted (a failed or fenced batch). */
  forget(partition: number): void {
    const known = this.#partitions.get(partition);
    if (known !== undefined) known.newest = null;
  }
}
