import type { Sql } from "@vigil/store";
import { TrackedPopulation } from "./population.ts";
import { ActivityWatermarks, type ProgressOptions } from "./watermarks.ts";

/**
 * What a partition of the topic with `progress` in its role (topicRoles.ts) keeps in memory between
 * its batches: its population and its watermark towards the by-source stage.
 */
export class PartitionProgress {
  readonly watermarks: ActivityWatermarks;
  readonly #populations = new Map<number, TrackedPopulation>();
  readonly #sql: Sql;
  readonly #groupId: string;
  readonly #topic: string;

  constructor(options: ProgressOptions) {
    this.#sql = options.sql;
    this.#groupId = options.groupId;
    this.#topic = options.topics.activity;
    this.watermarks = new ActivityWatermarks(options);
  }

  /** The partition's population as committed (loaded once, then kept). */
  async population(partition: number): Promise<TrackedPopulation> {
    let population = this.#populations.get(partition);
    if (population === undefined) {
      const key = { groupId: this.#groupId, topic: this.#topic, partition };
      population = await TrackedPopulation.load(this.#sql, key);
      this.#populations.set(partition, population);
    }
    return population;
  }

  /** A batch of the partition starts. */
  started(partition: number, now: number): void {
    this.watermarks.started(partition, now);
  }

  /** The batch's write committed: the population's changes are stored. */
  committed(partition: number): void {
    this.#populations.get(partition)?.committed();
  }

  /** The batch ended, leaving `lag` behind it. */
  ended(partition: number, lag: number, now: number): void {
    this.watermarks.ended(partition, lag, now);
  }

  /** The population may hold what the engine did to it in a plan that will not commit. */
  forgetPopulation(partition: number): void {
    this.#populations.delete(partition);
  }

  /** A failed or fenced batch: nothing in memory about the partition can be trusted. */
  forget(partition: number): void {
    this.#populations.delete(partition);
    this.watermarks.forget(partition);
  }

  /** Keeps the partitions owned now. */
  retain(owned: number[], now: number): void {
    for (const partition of this.#populations.keys())
      if (!owned.includes(partition)) this.#populations.delete(partition);
    this.watermarks.retain(owned, now);
  }
}
