import { loadOffsets, type Sql } from "@vigil/store";

/**
 * The next offset the store holds for each partition this replica works on (null: none yet): read
 * once, then kept as its batches commit. The store's offsets are the truth, not Kafka's.
 */
export class StoredOffsets {
  readonly #next = new Map<string, number | null>();
  readonly #sql: Sql;
  readonly #groupId: string;

  constructor(sql: Sql, groupId: string) {
    this.#sql = sql;
    this.#groupId = groupId;
  }

  async of(topic: string, partition: number): Promise<number | null> {
    const key = `${topic}:${partition}`;
    if (!this.#next.has(key)) {
      const offsets = await loadOffsets(this.#sql, this.#groupId, topic);
      this.#next.set(key, offsets.get(partition) ?? null);
    }
    return this.#next.get(key) ?? null;
  }

  committed(topic: string, partition: number, next: number): void {
    this.#next.set(`${topic}:${partition}`, next);
  }

  /** Read again from the store next time. */
  forget(topic: string, partition: number): void {
    this.#next.delete(`${topic}:${partition}`);
  }

  clear(): void {
    this.#next.clear();
  }
}
