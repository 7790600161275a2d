import type { UserState } from "@vigil/detection";
import { loadUserStateTexts, type Sql } from "@vigil/store";
import { LRUCache } from "lru-cache";

interface Entry {
  /** The account's own partition (AccountRouting): the entry goes when this replica loses it. */
  partition: number;
  /**
   * The committed state as UTF-8 JSON, outside the JavaScript heap: half the memory of the object,
   * nothing for the GC to trace, and no growth of the heap's limit, which V8 sets in proportion to
   * what lives on the heap (a cache held there as strings let the heap grow to twice the cache).
   */
  json: Buffer;
}

/** Per-entry overhead beyond the JSON, in bytes' worth: key, entry, buffer object, LRU slots. */
const ENTRY_OVERHEAD = 200;

function stored(text: string): Buffer {
  // Its own allocation: a slice of Node's shared pool would keep the whole 8 KiB slab alive.
  const json = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  json.write(text);
  return json;
}

/**
 * Committed user states of the partitions this replica owns, bounded (LRU) by a count and by their
 * size in bytes, whichever is reached first: a settled profile is ten times a new one. It only
 * ever holds what the store holds: states enter it after their batch commits. Kept serialized, so
 * every load hands out a fresh object that the engine may change freely.
 */
export class UserCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #sql: Sql;
  readonly #homeOf: (userId: string) => number;

  constructor(sql: Sql, max: number, maxBytes: number, homeOf: (userId: string) => number) {
    this.#sql = sql;
    this.#homeOf = homeOf;
    this.#entries = new LRUCache({
      max,
      maxSize: maxBytes,
      sizeCalculation: (entry) => entry.json.length + ENTRY_OVERHEAD,
    });
  }

  /** The committed states of these users (missing: never seen), from memory or in one query. */
  async load(userIds: Iterable<string>): Promise<Map<string, UserState>> {
    const found = new Map<string, UserState>();
    const missing = new Set<string>();
    for (const userId of userIds) {
      if (found.has(userId) || missing.has(userId)) continue;
      const entry = this.#entries.get(userId);
      if (entry) found.set(userId, JSON.parse(entry.json.toString()) as UserState);
      else missing.add(userId);
    }
    const loaded = await loadUserStateTexts(this.#sql, [...missing]);
    for (const [userId, text] of loaded) {
      found.set(userId, JSON.parse(text) as UserState);
      this.#entries.set(userId, { partition: this.#homeOf(userId), json: stored(text) });
    }
    return found;
  }

  /** States just committed, as the JSON text that was stored. */
  remember(states: Map<string, string>): void {
    for (const [userId, text] of states)
      this.#entries.set(userId, { partition: this.#homeOf(userId), json: stored(text) });
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

  /** Bytes held, overhead included. */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }
}
