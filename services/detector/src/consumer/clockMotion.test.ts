import { describe, expect, it } from "vitest";
import { ClockMotion } from "./clockMotion.ts";

describe("ClockMotion", () => {
  it("calls a clock stalled once it has not moved for the stall time, and moving again as soon as it moves", () => {
    const told: number[] = [];
    const motion = new ClockMotion(120_000, (partition) => told.push(partition));
    // First seen after downtime: a catch-up, not a stall.
    expect(motion.stalled(0, 1_000, 0)).toBe(false);
    expect(motion.stalled(0, 1_000, 119_999)).toBe(false);
    expect(motion.stalled(0, 1_000, 120_000)).toBe(true);
    expect(motion.stalled(0, 2_000, 130_000)).toBe(false);
    // Each partition's clock on its own.
    expect(motion.stalled(1, 1_000, 130_000)).toBe(false);
    expect(motion.stalled(0, 2_000, 250_000)).toBe(true);
    expect(motion.stalled(0, 2_000, 260_000)).toBe(true);
    // Told once per stall.
    expect(told).toEqual([0, 0]);
  });

  it("counts stillness from the last failed batch: a store that was away held every clock, nothing stalled", () => {
    const motion = new ClockMotion(120_000);
    expect(motion.stalled(0, 1_000, 0)).toBe(false);
    // Three minutes without the database; the first batch after it sees the same clock.
    motion.failing(170_000);
    expect(motion.stalled(0, 1_000, 180_000)).toBe(false);
    expect(motion.stalled(0, 1_000, 290_000)).toBe(true);
  });
});
