import { emptyPopulation, type PopulationState } from "@vigil/detection";
import {
  type CounterChange,
  loadPartitionCounters,
  loadPartitionState,
  type PartitionKey,
  type Sql,
} from "@vigil/store";

type Level = keyof PopulationState["counts"];

/** What partition_states keeps of a population; the counts themselves are rows of partition_counters. */
interface Totals {
  total: number;
  /** Present only in the whole-state format of before (migration 004): moved to counters on the next batch. */
  counts?: PopulationState["counts"];
}

/**
 * A partition's population, with its counts watched so that a batch writes only the counts it
 * changed: the population grows to tens of thousands of counted values, too many to write whole with
 * every batch (docs/performance.md, "What made it faster"). The engine updates the counts in place
 * (plain assignments and deletions), which the proxies around each level's record note down.
 */
export class TrackedPopulation {
  readonly state: PopulationState;
  readonly #dirty = new Map<Level, Set<string>>();
  readonly #raw: PopulationState["counts"];

  private constructor(total: number, raw: PopulationState["counts"]) {
    this.#raw = raw;
    const sizes = emptyPopulation().sizes;
    const counts = {} as PopulationState["counts"];
    for (const level of Object.keys(raw) as Level[]) {
      const values = raw[level];
      sizes[level] = Object.keys(values).length;
      const dirty = new Set<string>();
      this.#dirty.set(level, dirty);
      counts[level] = new Proxy(values, {
        set(target, name, value) {
          target[name as string] = value;
          dirty.add(name as string);
          return true;
        },
        deleteProperty(target, name) {
          delete target[name as string];
          dirty.add(name as string);
          return true;
        },
      });
    }
    this.state = { total, counts, sizes };
  }

  static async load(sql: Sql, key: PartitionKey): Promise<TrackedPopulation> {
    const saved = await loadPartitionState<Totals>(sql, key);
    if (saved?.counts) {
      // Stored whole before counters existed: every count is written as a counter with the next batch.
      const population = new TrackedPopulation(saved.total, saved.counts);
      for (const [level, values] of Object.entries(saved.counts) as [Level, Record<string, number>][])
        for (const name of Object.keys(values)) population.#dirty.get(level)?.add(name);
      return population;
    }
    const raw = emptyPopulation().counts;
    for (const { kind, name, value } of await loadPartitionCounters(sql, key)) {
      const values = raw[kind as Level];
      if (values) values[name] = value;
    }
    return new TrackedPopulation(saved?.total ?? 0, raw);
  }

  /** What partition_states keeps: the total (the counts are counters). */
  totals(): Totals {
    return { total: this.state.total };
  }

  /** The counts changed since the last commit, with their values now (null: dropped). */
  changes(): CounterChange[] {
    const changes: CounterChange[] = [];
    for (const [level, names] of this.#dirty) {
      const values = this.#raw[level];
      for (const name of names) changes.push({ kind: level, name, value: values[name] ?? null });
    }
    return changes;
  }

  /** The changes were committed. */
  committed(): void {
    for (const names of this.#dirty.values()) names.clear();
  }
}
