import { configure, emptyPopulation, observe, observeUser, type PopulationState } from "@vigil/detection";
import type { AccountEvent } from "@vigil/events";
import { ipFacts, sampleIps } from "@vigil/geo";
import {
  openStore,
  type PartitionKey,
  type Sql,
  savePartitionCounters,
  savePartitionState,
} from "@vigil/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TrackedPopulation } from "./population.ts";

// A population persisted as the counts each batch changed must read back exactly as the engine left it.

const key: PartitionKey = { groupId: "g", topic: "t", partition: 0 };
let sql: Sql;
beforeEach(async () => {
  sql = await openStore({ dataDir: "memory://" });
});
afterEach(async () => {
  await sql.close();
});

/** What a batch commit writes for the population. */
async function commit(population: TrackedPopulation): Promise<void> {
  await savePartitionState(sql, key, population.totals());
  await savePartitionCounters(sql, key, population.changes());
  population.committed();
}

const plain = (state: PopulationState) => JSON.parse(JSON.stringify(state)) as PopulationState;

/** Logins of many users from many places, so that counts grow, get halved and get dropped. */
function logins(count: number): AccountEvent[] {
  const places = [
    ...sampleIps({ country: "DE", city: "Berlin", count: 20, seed: 1 }),
    ...sampleIps({ country: "US", city: "New York", count: 20, seed: 2 }),
    ...sampleIps({ country: "JP", city: "Tokyo", count: 20, seed: 3 }),
  ];
  return Array.from({ length: count }, (_, i) => ({
    id: `e${i}`,
    type: "login.succeeded" as const,
    occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    userId: `u${i % 7}`,
    sessionId: `s${i}`,
    ip: places[(i * 13) % places.length] as string,
    userAgent: i % 2 ? "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0" : "curl/8.0",
  }));
}

describe("TrackedPopulation", () => {
  it("writes only what changed and reads back what the engine left, across halvings", async () => {
    // Small bounds, so that halving (every count rewritten, the rarest dropped) happens often.
    const engine = configure({
      population: {
        maxValues: { country: 2, region: 3, city: 3, network: 5, os: 2, family: 2 },
        maxTotal: 40,
      },
    });
    const reference = emptyPopulation();
    let tracked = await TrackedPopulation.load(sql, key);
    const events = logins(120);
    for (let start = 0; start < events.length; start += 10) {
      for (const event of events.slice(start, start + 10)) {
        const observation = observe(event, event.ip === undefined ? null : ipFacts(event.ip));
        observeUser(undefined, reference, observation, engine);
        observeUser(undefined, tracked.state, observation, engine);
      }
      expect(plain(tracked.state)).toEqual(plain(reference));
      await commit(tracked);
      expect(tracked.changes()).toEqual([]);
      // A new owner (or a retry) starts from what was committed.
      tracked = await TrackedPopulation.load(sql, key);
      expect(plain(tracked.state)).toEqual(plain(reference));
    }
  });

  it("moves a population stored whole (before counters) to counters with the next batch", async () => {
    const whole: PopulationState = {
      total: 3,
      counts: {
        country: { DE: 2, FR: 1 },
        region: {},
        city: {},
        network: { "1.2.3.0/24": 3 },
        os: {},
        family: {},
      },
      sizes: { country: 2, region: 0, city: 0, network: 1, os: 0, family: 0 },
    };
    await savePartitionState(sql, key, whole);
    const moved = await TrackedPopulation.load(sql, key);
    expect(plain(moved.state)).toEqual(whole);
    expect(moved.changes()).toHaveLength(3);
    await commit(moved);
    expect(plain((await TrackedPopulation.load(sql, key)).state)).toEqual(whole);
  });

  it("forgets nothing it was not told to: uncommitted changes are not read back", async () => {
    const tracked = await TrackedPopulation.load(sql, key);
    tracked.state.counts.country.DE = 1;
    tracked.state.total = 1;
    await commit(tracked);
    tracked.state.counts.country.DE = 5;
    delete tracked.state.counts.country.DE;
    tracked.state.counts.country.FR = 2;
    expect(tracked.changes()).toEqual(
      expect.arrayContaining([
        { kind: "country", name: "DE", value: null },
        { kind: "country", name: "FR", value: 2 },
      ]),
    );
    const reloaded = await TrackedPopulation.load(sql, key);
    expect(reloaded.state.counts.country).toEqual({ DE: 1 });
  });
});
