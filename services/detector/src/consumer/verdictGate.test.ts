import { TOPICS } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { keyPartitioner } from "../kafka/partitioning.ts";
import type { InboundMessage } from "../kafka/types.ts";
import { verdictClockMessages } from "../messages.ts";
import { leastClock, parseVerdictClock, type VerdictClocks, VerdictGate, withMarks } from "./verdictGate.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse("2026-12-02T12:00:00Z");
const DAY_AGO = NOW - 24 * HOUR;

const event = (offset: number, at: number): InboundMessage => ({
  topic: "account-activity",
  partition: 0,
  offset,
  key: "u1",
  value: Buffer.from(
    JSON.stringify({
      id: `e${offset}`,
      type: "login.succeeded",
      occurredAt: new Date(at).toISOString(),
      userId: "u1",
      sessionId: "s1",
      ip: "198.51.100.7",
    }),
  ),
  headers: {},
});

function gate(clocks: VerdictClocks | null, sources = 2) {
  const stalls: number[] = [];
  const verdictGate = new VerdictGate({
    sources,
    leadMs: HOUR,
    liveMs: 15 * MINUTE,
    stallMs: 2 * MINUTE,
    load: async () => clocks,
    onStall: (partition) => stalls.push(partition),
  });
  return { verdictGate, stalls };
}

describe("the verdict clock", () => {
  it("is the least by-source partition's clock, and unknown while one was never heard from", () => {
    expect(leastClock({ clocks: { "0": 5, "1": 3 } }, 2)).toBe(3);
    expect(leastClock({ clocks: { "0": 5 } }, 2)).toBe(Number.NEGATIVE_INFINITY);
    expect(leastClock(null, 1)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("takes marks in any order and never goes back", () => {
    const marks = [
      { partition: 0, partitions: 2, at: 10 },
      { partition: 0, partitions: 2, at: 7 },
      { partition: 1, partitions: 2, at: 4 },
    ];
    const forward = withMarks(null, marks);
    const backward = withMarks(null, [...marks].reverse());
    expect(forward).toEqual({ clocks: { "0": 10, "1": 4 } });
    expect(backward).toEqual(forward);
    expect(withMarks(forward, [{ partition: 1, partitions: 2, at: 4 }])).toBeNull();
  });

  it("reaches every verdicts partition as a mark, after the verdicts the outbox holds before it", () => {
    const messages = verdictClockMessages(TOPICS, { partition: 1, partitions: 3, at: 42 }, 6);
    const place = keyPartitioner(6);
    expect(messages.map((m) => place(m.key))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(parseVerdictClock(Buffer.from(messages[0]?.value as string))).toEqual({
      partition: 1,
      partitions: 3,
      at: 42,
    });
    // A verdict is not a mark.
    expect(parseVerdictClock(Buffer.from(JSON.stringify({ userId: "u1", at: 42 })))).toBeNull();
  });
});

describe("an activity partition catching up", () => {
  it("reads up to the lead past the verdict clock, and waits at the first event beyond it", async () => {
    const clock = DAY_AGO;
    const { verdictGate } = gate({ clocks: { "0": clock, "1": clock + HOUR } });
    const messages = [
      event(0, clock + 10 * MINUTE),
      event(1, clock + HOUR),
      event(2, clock + HOUR + MINUTE),
      event(3, clock),
    ];
    expect(await verdictGate.firstHeld(0, messages, NOW)).toEqual({ index: 2, at: clock + HOUR + MINUTE });
  });

  it("waits from its first event while a by-source partition was never heard from", async () => {
    const { verdictGate } = gate({ clocks: { "0": DAY_AGO } });
    expect(await verdictGate.firstHeld(0, [event(0, DAY_AGO - HOUR)], NOW)).toEqual({
      index: 0,
      at: DAY_AGO - HOUR,
    });
  });

  it("never holds live events, nor messages the planner dead-letters", async () => {
    const { verdictGate } = gate(null);
    const unreadable = { ...event(1, 0), value: Buffer.from("not json") };
    const invalid = {
      ...event(2, 0),
      value: Buffer.from(
        JSON.stringify({ type: "login.succeeded", occurredAt: new Date(DAY_AGO).toISOString() }),
      ),
    };
    expect(await verdictGate.firstHeld(0, [event(0, NOW - 5 * MINUTE), unreadable, invalid], NOW)).toEqual({
      index: 3,
      at: Number.NaN,
    });
  });

  it("resumes once the clock lets its next event through, not before", async () => {
    const { verdictGate } = gate({ clocks: { "0": DAY_AGO, "1": DAY_AGO } });
    const next = DAY_AGO + 3 * HOUR;
    await verdictGate.firstHeld(0, [event(0, next)], NOW);
    let resumed = 0;
    verdictGate.wait(0, next, () => resumed++, NOW);
    expect(verdictGate.waiting()).toEqual([0]);
    verdictGate.moved(0, { clocks: { "0": next, "1": DAY_AGO + HOUR } }, NOW);
    expect(resumed).toBe(0);
    verdictGate.moved(0, { clocks: { "0": next, "1": next - HOUR } }, NOW);
    expect(resumed).toBe(1);
    expect(verdictGate.waiting()).toEqual([]);
  });

  it("goes on alone once its clock has not moved for the stall time, and waits again once it moves", async () => {
    const { verdictGate, stalls } = gate({ clocks: { "0": DAY_AGO, "1": DAY_AGO } });
    const next = DAY_AGO + 3 * HOUR;
    await verdictGate.firstHeld(0, [event(0, next)], NOW);
    let resumed = 0;
    verdictGate.wait(0, next, () => resumed++, NOW);
    verdictGate.releaseStalled(NOW + MINUTE);
    expect(resumed).toBe(0);
    verdictGate.releaseStalled(NOW + 3 * MINUTE);
    expect(resumed).toBe(1);
    expect(stalls).toEqual([0]);
    expect((await verdictGate.firstHeld(0, [event(0, next + HOUR)], NOW)).index).toBe(1);
    // One by-source partition moving is not the clock moving: the least is still the stalled one.
    verdictGate.moved(0, { clocks: { "0": DAY_AGO + MINUTE, "1": DAY_AGO } }, NOW);
    expect((await verdictGate.firstHeld(0, [event(0, next + HOUR)], NOW)).index).toBe(1);
    verdictGate.moved(0, { clocks: { "0": DAY_AGO + MINUTE, "1": DAY_AGO + MINUTE } }, NOW);
    expect((await verdictGate.firstHeld(0, [event(0, next + HOUR)], NOW)).index).toBe(0);
  });

  it("reads its clocks from the store again after a commit whose outcome it does not know, and lets a waiting partition go on what the store holds", async () => {
    // The store's clocks: the batch whose commit lost its connection had landed all the same.
    let stored: VerdictClocks = { clocks: { "0": DAY_AGO, "1": DAY_AGO } };
    const verdictGate = new VerdictGate({
      sources: 2,
      leadMs: HOUR,
      liveMs: 15 * MINUTE,
      stallMs: 2 * MINUTE,
      load: async () => stored,
      onStall: () => {},
    });
    const next = DAY_AGO + 3 * HOUR;
    await verdictGate.firstHeld(0, [event(0, next)], NOW);
    let resumed = 0;
    verdictGate.wait(0, next, () => resumed++, NOW);
    stored = { clocks: { "0": next, "1": next } };
    verdictGate.forget(0);
    // The next batch of the verdicts partition finds its messages stored: nothing moves the clock.
    await verdictGate.recheck(0, NOW);
    expect(resumed).toBe(1);
    // Marks that follow are added to the store's clocks, not to older ones in memory.
    expect(withMarks(await verdictGate.clocks(0), [{ partition: 0, partitions: 2, at: next + 1 }])).toEqual({
      clocks: { "0": next + 1, "1": next },
    });
  });

  it("counts a wait from the last failed batch: a store that was away held the clock, which did not stall", async () => {
    const { verdictGate, stalls } = gate({ clocks: { "0": DAY_AGO, "1": DAY_AGO } });
    const next = DAY_AGO + 3 * HOUR;
    await verdictGate.firstHeld(0, [event(0, next)], NOW);
    let resumed = 0;
    verdictGate.wait(0, next, () => resumed++, NOW);
    verdictGate.failing(NOW + 3 * MINUTE);
    verdictGate.releaseStalled(NOW + 4 * MINUTE);
    expect(resumed).toBe(0);
    verdictGate.releaseStalled(NOW + 5 * MINUTE);
    expect(resumed).toBe(1);
    expect(stalls).toEqual([0]);
  });

  it("resumes a partition it no longer owns, which kafkajs would keep paused if it came back", async () => {
    const { verdictGate } = gate(null);
    let resumed = 0;
    await verdictGate.firstHeld(3, [event(0, DAY_AGO)], NOW);
    verdictGate.wait(3, DAY_AGO, () => resumed++, NOW);
    verdictGate.retain([0, 1]);
    expect(resumed).toBe(1);
    expect(verdictGate.waiting()).toEqual([]);
  });
});
