import type { UserState } from "@vigil/detection";
import { loadUserStateTexts, type Sql } from "@vigil/store";
import { LRUCache } from "lru-cache";

interface Entry {
  partition: number;
  /** The committed state as JSON text: half the memory of the object, nothing for the GC to trace. */
  text: string;
}

/**
 * Committed user states of the partitions this replica owns, bounded (LRU). It only ever holds what
 * the store holds: states enter it after their batch commits. Kept serialized, so every load hands
 * out a fresh object that the engine may change freely.
 */
export class UserCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #sql: Sql;

  constructor(sql: Sql, max: number) {
    this.#sql = sql;
    this.#entries = new LRUCache({ max });
  }

  /** The committed states of these users (missing: never seen), from memory or in one query. */
  async load(partition: number, userIds: Iterable<string>): Promise<Map<string, UserState>> {
    const found = new Map<string, UserState>();
    const missing = new Set<string>();
    for (const userId of userIds) {
      if (found.has(userId) || missing.has(userId)) continue;
      const entry = this.#entries.get(userId);
      if (entry) found.set(userId, JSON.parse(entry.text) as UserState);
      else missing.add(userId);
    }
    const loaded = await loadUserStateTexts(this.#sql, [...missing]);
    for (const [userId, text] of loaded) {
      found.set(userId, JSON.parse(text) as UserState);
      this.#entries.set(userId, { partition, text });
    }
    return found;
  }

  /** States just committed, as the JSON text that was stored. */
  remember(partition: number, states: Map<string, string>): void {
    for (const [userId, text] of states) this.#entries.set(userId, { partition, text });
  }

  forget(userIds: Iterable<string>): void {
    for (const userId of userIds) this.#entries.delete(userId);
  }

  /** Drops the users of partitions this replica no longer owns (or whose batch failed). */
  forgetPartitions(keep: (partition: number) => boolean): void {
    for (const [userId, entry] of this.#entries.entries()) {
      if (!keep(entry.partition)) this.#entries.delete(userId);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Characters of JSON held (about the bytes, as states are ASCII). */
  get textLength(): number {
    let total = 0;
    for (const entry of this.#entries.values()) total += entry.text.length;
    return total;
  }
}
