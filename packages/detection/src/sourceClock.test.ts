import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config } from "./config.ts";
import type { Observation } from "./observation.ts";
import type { SourceState, SourceVerdict } from "./source.ts";
import {
  closeDue,
  dueSources,
  emptyClock,
  idleWatermark,
  lateForSources,
  markPartition,
  observeSourceOnClock,
  partitionWatermark,
  type SourceClock,
  sourceOfKey,
  sourcesOf,
} from "./sourceClock.ts";
import { failureObs, HOUR, loginObs, MINUTE, SECOND, T0 } from "./testing.ts";

const spray = config.source.spray.accounts;
const { bucketMs, graceMs } = config.source;
const cloud = { number: 64500, org: "Example Cloud" };

/** The by-source stage: counts a login, or takes a mark, then judges the sources due. */
class Stage {
  readonly clock = emptyClock();
  readonly states = new Map<string, SourceState>();
  readonly verdicts: SourceVerdict[] = [];
  late = 0;

  /** Whether the service would call the clock stalled (it has not moved for a while). */
  readonly stalled: boolean;

  constructor(stalled = true) {
    this.stalled = stalled;
  }

  login(obs: Observation): void {
    for (const source of sourcesOf(obs)) {
      const step = observeSourceOnClock(
        this.clock,
        this.states.get(source.key),
        obs,
        source,
        config,
        this.stalled,
      );
      if (step.late) this.late++;
      this.states.set(source.key, step.state);
      this.verdicts.push(...step.verdicts);
    }
    this.judgeDue();
  }

  mark(partition: number, partitions: number, at: number, idle = false): void {
    markPartition(this.clock, { partition, partitions, at, ...(idle ? { idle: true as const } : {}) });
    this.judgeDue();
  }

  judgeDue(): void {
    for (const key of dueSources(this.clock)) {
      const step = closeDue(this.clock, key, this.states.get(key), config);
      this.states.set(key, step.state);
      this.verdicts.push(...step.verdicts);
    }
  }
}

/** What one activity partition publishes for its logins, in its order: logins not late, then marks. */
type Published = { login: Observation } | { mark: number; partition: number };

function publish(partition: number, logins: readonly Observation[]): Published[] {
  const out: Published[] = [];
  let newest = 0;
  let published = Number.NEGATIVE_INFINITY;
  for (const obs of logins) {
    if (!lateForSources(obs.at, partitionWatermark(newest, config), config)) out.push({ login: obs });
    newest = Math.max(newest, obs.at);
    const mark = partitionWatermark(newest, config);
    if (mark > published) {
      out.push({ mark, partition });
      published = mark;
    }
  }
  return out;
}

describe("an activity partition's watermark", () => {
  it("is its newest event less the grace, down to a bucket", () => {
    expect(partitionWatermark(T0 + graceMs + bucketMs + 3 * MINUTE, config)).toBe(T0 + bucketMs);
  });

  it("when idle, moves to the end of its newest event's bucket once the wall clock is a grace past it", () => {
    const newest = T0 + 2 * MINUTE;
    expect(idleWatermark(newest, newest + MINUTE, config)).toBe(partitionWatermark(newest, config));
    expect(idleWatermark(newest, T0 + bucketMs + graceMs - 1, config)).toBe(
      partitionWatermark(newest, config),
    );
    expect(idleWatermark(newest, T0 + bucketMs + graceMs, config)).toBe(T0 + bucketMs);
  });

  it("makes late exactly the logins whose bucket it has passed", () => {
    const watermark = T0 + 2 * bucketMs;
    expect(lateForSources(T0 + 2 * bucketMs - 1, watermark, config)).toBe(true);
    expect(lateForSources(T0 + 2 * bucketMs, watermark, config)).toBe(false);
  });
});

describe("the sources' clock", () => {
  it("waits for every partition, then moves to the least of their watermarks", () => {
    const clock = emptyClock();
    expect(markPartition(clock, { partition: 0, partitions: 2, at: T0 + HOUR })).toBe(false);
    expect(clock.watermark).toBe(0);
    expect(markPartition(clock, { partition: 1, partitions: 2, at: T0 })).toBe(true);
    expect(clock.watermark).toBe(T0);
    // An idle partition leaves the least; all idle, the greatest mark holds (nothing is on its way).
    markPartition(clock, { partition: 1, partitions: 2, at: T0, idle: true });
    expect(clock.watermark).toBe(T0 + HOUR);
    // Waking up with an older mark never takes the clock back.
    markPartition(clock, { partition: 1, partitions: 2, at: T0 + MINUTE });
    expect(clock.watermark).toBe(T0 + HOUR);
  });

  it("judges a spray that fell silent once every partition's watermark passes it", () => {
    const stage = new Stage();
    for (let i = 0; i < spray; i++) stage.login(failureObs(T0 + i * SECOND, { userId: `u${i}`, asn: cloud }));
    stage.mark(0, 2, T0 + bucketMs);
    expect(Object.keys(stage.clock.due).sort()).toEqual(["198.51.100.0/24", "AS64500"]);
    // Partition 1 has not passed the bucket yet: one of its logins may still belong in it.
    stage.mark(1, 2, T0);
    expect(stage.verdicts).toEqual([]);
    stage.mark(1, 2, T0 + bucketMs);
    expect(stage.verdicts.filter((v) => v.network === "198.51.100.0/24")).toHaveLength(spray);
    expect(stage.verdicts.filter((v) => v.network === "AS64500")).toHaveLength(spray);
    expect(stage.clock.due).toEqual({});
  });

  it("judges a stream's last spray once every partition is idle and the wall clock is a grace past it", () => {
    // A spray in the last minutes of a stream, then nothing: the partitions' watermarks stay behind it.
    const stage = new Stage();
    const last = T0 + 3 * MINUTE;
    for (let i = 0; i < spray; i++)
      stage.login(failureObs(last - i * SECOND, { userId: `u${i}`, asn: cloud }));
    stage.mark(0, 2, partitionWatermark(last, config));
    stage.mark(1, 2, partitionWatermark(last - HOUR, config));
    // Idle while the stream is live (the wall clock just after it): a login may still come, so no.
    stage.mark(0, 2, idleWatermark(last, last + MINUTE, config), true);
    stage.mark(1, 2, idleWatermark(last - HOUR, last + MINUTE, config), true);
    expect(stage.verdicts).toEqual([]);
    // Idle a grace past the spray's bucket (or a replay read long after it happened): judged.
    const later = T0 + bucketMs + graceMs;
    stage.mark(0, 2, idleWatermark(last, later, config), true);
    expect(stage.verdicts.filter((v) => v.network === "198.51.100.0/24")).toHaveLength(spray);
    // A live login after that falls in a later bucket: counted, not late.
    stage.login(failureObs(later - graceMs, { userId: "u-next", asn: cloud }));
    expect(stage.late).toBe(0);
  });

  it("judges a spray's bucket when the clock passes it, though the source's next login opened a later one", () => {
    const stage = new Stage();
    for (let i = 0; i < spray; i++) stage.login(failureObs(T0 + i * SECOND, { userId: `u${i}`, asn: cloud }));
    stage.mark(0, 1, T0);
    // One more try half an hour later, in a bucket of its own, before its partition's mark moves.
    stage.login(failureObs(T0 + 30 * MINUTE, { userId: "u0", asn: cloud }));
    expect(stage.verdicts).toEqual([]);
    stage.mark(0, 1, T0 + 20 * MINUTE);
    expect(stage.verdicts.filter((v) => v.network === "198.51.100.0/24")).toHaveLength(spray);
  });

  it("gives the same verdicts however the partitions' messages interleave, replays included", () => {
    // Two partitions, each in its own order (a little out of order inside the grace); a spray and a
    // stuffing split across them, and ordinary logins around.
    const partitions = [0, 1].map((p) => {
      const logins: Observation[] = [];
      for (let i = 0; i < 120; i++) {
        const at = T0 + i * 30 * SECOND - (i % 7) * MINUTE;
        logins.push(
          i % 3 === 0
            ? loginObs(at, { userId: `p${p}-owner${i % 11}`, network: `192.0.${p}.0/24` })
            : failureObs(at, { userId: `p${p}-v${i}`, asn: cloud }),
        );
      }
      return publish(p, logins);
    });
    const verdictsOf = (order: number[], replays: number[]): string[] => {
      const stage = new Stage();
      const cursors = [0, 0];
      for (const [step, p] of order.entries()) {
        const list = partitions[p] as Published[];
        // A replay: the partition publishes its last few messages again (a batch that did not commit).
        if (replays.includes(step)) cursors[p] = Math.max(0, (cursors[p] as number) - 5);
        const message = list[cursors[p] as number];
        if (message === undefined) continue;
        cursors[p] = (cursors[p] as number) + 1;
        if ("login" in message) stage.login(message.login);
        else stage.mark(message.partition, 2, message.mark);
      }
      for (const [p, list] of partitions.entries())
        for (const message of list.slice(cursors[p])) {
          if ("login" in message) stage.login(message.login);
          else stage.mark(message.partition, 2, message.mark);
        }
      stage.mark(0, 2, Number.MAX_SAFE_INTEGER - bucketMs, true);
      stage.mark(1, 2, Number.MAX_SAFE_INTEGER - bucketMs, true);
      return stage.verdicts
        .map((v) => `${v.network} ${v.code} ${v.at} ${v.userId} ${v.details.accounts}`)
        .sort();
    };
    const inOrder = verdictsOf([], []);
    expect(inOrder.length).toBeGreaterThan(0);
    const total = (partitions[0] as Published[]).length + (partitions[1] as Published[]).length;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: total, maxLength: total }),
        fc.array(fc.integer({ min: 0, max: total }), { maxLength: 4 }),
        (order, replays) => {
          expect(verdictsOf(order, replays)).toEqual(inOrder);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("stays bounded when one partition never publishes: a busy source judges its own old buckets", () => {
    const stage = new Stage();
    const network = "203.0.113.0/24";
    for (let i = 0; i < 24 * 60; i++)
      stage.login(failureObs(T0 + i * MINUTE, { userId: `u${i % 5}`, network }));
    const state = stage.states.get(network) as SourceState;
    expect(state.buckets.length).toBeLessThanOrEqual(
      (config.source.maxHoldMs + config.source.windowMs) / bucketMs + 1,
    );
  });

  it("waits while the clock moves, however far a catch-up's partitions drift apart", () => {
    // A spray through both partitions; partition 0 is read a whole day ahead of partition 1, as a
    // catch-up does when each batch of a sparse stream spans hours.
    const logins = (partition: number) =>
      Array.from({ length: 24 * 12 }, (_, i) =>
        failureObs(T0 + i * 5 * MINUTE + partition * MINUTE, {
          userId: `u${partition}-${i % (spray + 5)}`,
          network: "203.0.113.0/24",
        }),
      );
    const verdicts = (stalled: boolean) => {
      const stage = new Stage(stalled);
      for (const partition of [0, 1]) {
        for (const step of publish(partition, logins(partition))) {
          if ("login" in step) stage.login(step.login);
          else stage.mark(step.partition, 2, step.mark);
        }
      }
      return stage;
    };
    const inOrder = new Stage(false);
    const merged = [...publish(0, logins(0)), ...publish(1, logins(1))].sort(
      (a, b) => ("login" in a ? a.login.at : a.mark) - ("login" in b ? b.login.at : b.mark),
    );
    for (const step of merged) {
      if ("login" in step) inOrder.login(step.login);
      else inOrder.mark(step.partition, 2, step.mark);
    }
    expect(inOrder.verdicts.map((v) => v.code)).toContain("password_spray");
    const moving = verdicts(false);
    expect(moving.late).toBe(0);
    expect(moving.verdicts).toEqual(inOrder.verdicts);
    // A clock that stopped moving (the service's stall time) stops holding the busy source: the
    // lagging partition's logins come too late for the buckets judged without them.
    expect(verdicts(true).late).toBeGreaterThan(0);
  });

  it("names sources by key", () => {
    expect(sourceOfKey("AS3320")).toEqual({ key: "AS3320", scope: "asn" });
    expect(sourceOfKey("2001:db8:1::/48")).toEqual({ key: "2001:db8:1::/48", scope: "network" });
  });

  it("is plain JSON", () => {
    const clock: SourceClock = emptyClock();
    markPartition(clock, { partition: 0, partitions: 1, at: T0, idle: true });
    expect(JSON.parse(JSON.stringify(clock))).toEqual(clock);
  });
});
