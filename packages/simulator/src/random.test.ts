import { describe, expect, it } from "vitest";
import { hashHex, Rng } from "./random.ts";

const draws = (rng: Rng, n = 5) => Array.from({ length: n }, () => rng.next());

describe("Rng", () => {
  it("repeats itself for the same name and differs for another", () => {
    expect(draws(new Rng("a"))).toEqual(draws(new Rng("a")));
    expect(draws(new Rng("a"))).not.toEqual(draws(new Rng("b")));
  });

  it("forks by name, whatever the parent has drawn", () => {
    const parent = new Rng("root");
    const early = draws(parent.fork("child"));
    draws(parent, 100);
    expect(draws(parent.fork("child"))).toEqual(early);
    expect(draws(parent.fork("other"))).not.toEqual(early);
  });

  it("draws in range and roughly uniformly", () => {
    const rng = new Rng("uniform");
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)] = (buckets[Math.floor(x * 10)] ?? 0) + 1;
    }
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
    for (let i = 0; i < 1000; i++) expect([3, 4, 5]).toContain(rng.int(3, 5));
  });

  it("weights, samples and shuffles without losing items", () => {
    const rng = new Rng("pick");
    let heavy = 0;
    for (let i = 0; i < 1000; i++)
      if (
        rng.weighted([
          ["a", 9],
          ["b", 1],
        ] as const) === "a"
      )
        heavy++;
    expect(heavy).toBeGreaterThan(850);
    expect(rng.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(rng.sample([1, 2, 3, 4, 5], 3)).size).toBe(3);
    expect(() => rng.pick([])).toThrow(RangeError);
    const mean = Array.from({ length: 5000 }, () => rng.poisson(2)).reduce((a, b) => a + b) / 5000;
    expect(mean).toBeCloseTo(2, 0);
  });

  it("hashes names to stable hex of the asked width", () => {
    expect(hashHex("x")).toBe(hashHex("x"));
    expect(hashHex("x")).toMatch(/^[0-9a-f]{16}$/);
    expect(hashHex("x", 96)).toMatch(/^[0-9a-f]{24}$/);
    expect(hashHex("x")).not.toBe(hashHex("y"));
  });
});
