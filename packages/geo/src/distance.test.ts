import { describe, expect, it } from "vitest";
import { distanceKm, EARTH_RADIUS_KM } from "./distance.ts";

const london = { lat: 51.5074, lon: -0.1278 };
const paris = { lat: 48.8566, lon: 2.3522 };

describe("distanceKm", () => {
  it("London to Paris is about 344 km", () => {
    expect(distanceKm(london, paris)).toBeGreaterThan(339);
    expect(distanceKm(london, paris)).toBeLessThan(349);
  });

  it("is symmetric and zero for the same point", () => {
    expect(distanceKm(paris, london)).toBeCloseTo(distanceKm(london, paris), 9);
    expect(distanceKm(london, london)).toBe(0);
  });

  it("is half the circumference for antipodes, without NaN", () => {
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 6);
    expect(distanceKm({ lat: 90, lon: 0 }, { lat: -90, lon: 0 })).toBeCloseTo(20015.1, 0);
    expect(distanceKm({ lat: 51.5074, lon: -0.1278 }, { lat: -51.5074, lon: 179.8722 })).toBeCloseTo(
      20015.1,
      0,
    );
  });

  it("crosses the antimeridian the short way", () => {
    expect(distanceKm({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 })).toBeCloseTo(111.2, 1);
  });
});
