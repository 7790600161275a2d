import { describe, expect, it } from "vitest";
import { configure, defaultDetectionConfig, severityForScore } from "./config.ts";

describe("severityForScore", () => {
  it("maps each cut-off to its severity, just under to the one below", () => {
    const cut = defaultDetectionConfig.severity;
    expect(severityForScore(cut.medium - 1)).toBe("low");
    expect(severityForScore(cut.medium)).toBe("medium");
    expect(severityForScore(cut.high - 1)).toBe("medium");
    expect(severityForScore(cut.high)).toBe("high");
    expect(severityForScore(cut.critical - 1)).toBe("high");
    expect(severityForScore(cut.critical)).toBe("critical");
    expect(severityForScore(100)).toBe("critical");
  });
});

describe("configure", () => {
  it("replaces values at any depth and keeps the rest", () => {
    const config = configure({ travel: { maxSpeedKmh: 800 }, source: { spray: { accounts: 5 } } });
    expect(config.travel.maxSpeedKmh).toBe(800);
    expect(config.travel.neighbourKm).toBe(defaultDetectionConfig.travel.neighbourKm);
    expect(config.source.spray).toEqual({
      accounts: 5,
      failureRatio: defaultDetectionConfig.source.spray.failureRatio,
    });
    expect(defaultDetectionConfig.travel.maxSpeedKmh).toBe(1000);
  });
});
