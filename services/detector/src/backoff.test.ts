import { describe, expect, it } from "vitest";
import { backoffCeilingMs, backoffMs } from "./backoff.ts";

describe("backoff", () => {
  it("doubles from 200 ms and stops at 10 s", () => {
    expect([0, 1, 2, 5, 6, 30].map(backoffCeilingMs)).toEqual([200, 400, 800, 6400, 10_000, 10_000]);
  });

  it("waits between half the ceiling and the ceiling", () => {
    expect(backoffMs(3, () => 0)).toBe(800);
    expect(backoffMs(3, () => 0.5)).toBe(1200);
    expect(backoffMs(3, () => 1)).toBe(1600);
    expect(backoffMs(40, () => 1)).toBe(10_000);
  });
});
