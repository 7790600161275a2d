/** A partition with work it has not committed for a while. */
export interface Stall {
  topic: string;
  partition: number;
  seconds: number;
}

interface Watched {
  topic: string;
  partition: number;
  /** When the oldest batch not yet committed started. */
  since: number;
  /** Messages were fetched and not committed yet: a batch is in flight, or retried. */
  behind: boolean;
}

/**
 * Which partitions have messages fetched and not committed (lag the consumer holds), and since
 * when. A batch retried forever or a lock never granted fails nothing loudly, so readiness and
 * `vigil_partition_stalled_seconds` read them from here. The broker's lag beyond the fetched
 * messages is not counted: offsets of transaction markers are never delivered as messages, and a
 * partition ending in one would look behind for ever.
 */
export class StallWatch {
  readonly #partitions = new Map<string, Watched>();

  /** A batch of the partition starts. */
  started(topic: string, partition: number, now: number): void {
    const key = `${topic}:${partition}`;
    const known = this.#partitions.get(key);
    if (known === undefined) this.#partitions.set(key, { topic, partition, since: now, behind: true });
    else if (!known.behind) {
      known.since = now;
      known.behind = true;
    }
  }

  /** The batch committed. */
  committed(topic: string, partition: number, now: number): void {
    this.#partitions.set(`${topic}:${partition}`, { topic, partition, since: now, behind: false });
  }

  /** The partition is no longer this replica's (revoked, or the batch abandoned). */
  forget(topic: string, partition: number): void {
    this.#partitions.delete(`${topic}:${partition}`);
  }

  /** Keeps only the partitions in `owned` (topic → partitions). */
  retain(owned: Map<string, number[]>): void {
    for (const [key, { topic, partition }] of this.#partitions) {
      if (!(owned.get(topic) ?? []).includes(partition)) this.#partitions.delete(key);
    }
  }

  /** Every partition behind, with the seconds since its oldest uncommitted batch started. */
  behind(now: number): Stall[] {
    const stalls: Stall[] = [];
    for (const { topic, partition, since, behind } of this.#partitions.values()) {
      if (behind) stalls.push({ topic, partition, seconds: Math.max(0, (now - since) / 1000) });
    }
    return stalls;
  }

  /** The partitions behind for longer than `limitSeconds`: stalled. */
  stalled(now: number, limitSeconds: number): Stall[] {
    return this.behind(now).filter((stall) => stall.seconds > limitSeconds);
  }
}
