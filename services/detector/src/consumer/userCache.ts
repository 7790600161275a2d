import type { UserState } from "@vigil/detection";
import { loadUserStates, type Sql } from "@vigil/store";
import { LRUCache } from "lru-cache";

interface Entry {
  partition: number;
  state: UserState;
}

/**
 * Committed user states of the partitions this replica owns, bounded (LRU). It only ever holds what
 * the store holds: states enter it after their batch commits.
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
    const missing: string[] = [];
    for (const userId of new Set(userIds)) {
      const entry = this.#entries.get(userId);
      if (entry) found.set(userId, entry.state);
      else missing.push(userId);
    }
    const loaded = await loadUserStates<UserState>(this.#sql, missing);
    for (const [userId, state] of loaded) {
      found.set(userId, state);
      this.#entries.set(userId, { partition, state });
    }
    return found;
  }

  remember(partition: number, states: Map<string, UserState>): void {
    for (const [userId, state] of states) this.#entries.set(userId, { partition, state });
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
}
