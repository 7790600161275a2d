import type { DetectionConfig, Level } from "./config.ts";
import { keyed } from "./keyed.ts";
import type { LevelStatus } from "./profile.ts";

type CountedLevel = Exclude<Level, "deviceId">;
const COUNTED: readonly CountedLevel[] = ["country", "region", "city", "network", "os", "family"];

/**
 * How common each value is across all accounts of one partition: the attacker model of Freeman et
 * al. (an attacker looks like a random member of the population). Plain JSON data. The service keeps
 * one per Kafka partition and persists it with the offsets; `observeUser` updates it in place.
 */
export interface PopulationState {
  /** Logins counted (halved with the counts when it reaches the configured maximum). */
  total: number;
  counts: Record<CountedLevel, Record<string, number>>;
  sizes: Record<CountedLevel, number>;
}

export function emptyPopulation(): PopulationState {
  return {
    total: 0,
    counts: {
      country: keyed(),
      region: keyed(),
      city: keyed(),
      network: keyed(),
      os: keyed(),
      family: keyed(),
    },
    sizes: { country: 0, region: 0, city: 0, network: 0, os: 0, family: 0 },
  };
}

/** Smoothed global share of a value among logins with the same parent value (or all logins at the top). */
export function globalShare(
  population: PopulationState,
  status: LevelStatus,
  config: DetectionConfig,
): number {
  if (status.level === "deviceId") return config.novelty.deviceIdShare;
  const own = population.counts[status.level][status.key] ?? 0;
  const parent = status.parent;
  const of =
    parent === null || parent.level === "deviceId"
      ? population.total
      : (population.counts[parent.level][parent.key] ?? 0);
  return Math.min(1, (own + 1) / (Math.max(of, own) + 2));
}

export function countLogin(
  population: PopulationState,
  statuses: readonly LevelStatus[],
  config: DetectionConfig,
): void {
  for (const status of statuses) {
    if (status.level === "deviceId") continue;
    const counts = population.counts[status.level];
    const before = counts[status.key];
    if (before === undefined) {
      counts[status.key] = 1;
      population.sizes[status.level] += 1;
      if (population.sizes[status.level] > config.population.maxValues[status.level])
        halve(population, status.level);
    } else counts[status.key] = before + 1;
  }
  population.total += 1;
  if (population.total >= config.population.maxTotal) {
    for (const level of COUNTED) halve(population, level);
    population.total /= 2;
  }
}

// Halving keeps the shares while forgetting the rarest values: a bounded, amortised O(1) sketch.
function halve(population: PopulationState, level: CountedLevel): void {
  const counts = population.counts[level];
  let size = 0;
  for (const key of Object.keys(counts)) {
    const value = (counts[key] as number) / 2;
    if (value < 1) delete counts[key];
    else {
      counts[key] = value;
      size += 1;
    }
  }
  population.sizes[level] = size;
}
