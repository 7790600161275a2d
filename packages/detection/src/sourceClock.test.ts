import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config } from "./config.ts";
import type { SourceState, SourceVerdict } from "./source.ts";
import {
  closeDue,
  dueSources,
  emptyClock,
  observeSourceOnClock,
  sourceOfKey,
  sourcesOf,
} from "./sourceClock.ts";
import { failureObs, loginObs, MINUTE, SECOND, T0 } from "./testing.ts";

const spray = config.source.spray.accounts;
const cloud = { number: 64500, org: "Example Cloud" };

describe("the sources' clock", () => {
  it("judges a spray that fell silent once other sources' logins carry the clock past its grace", () => {
    const clock = emptyClock();
    const states = new Map<string, SourceState>();
    const verdicts: SourceVerdict[] = [];
    const feed = (obs: ReturnType<typeof failureObs>) => {
      for (const source of sourcesOf(obs)) {
        const step = observeSourceOnClock(clock, states.get(source.key), obs, source, config);
        states.set(source.key, step.state);
        verdicts.push(...step.verdicts);
      }
      for (const key of dueSources(clock)) {
        const step = closeDue(clock, key, states.get(key), config);
        states.set(key, step.state);
        verdicts.push(...step.verdicts);
      }
    };
    for (let i = 0; i < spray; i++) feed(failureObs(T0 + i * SECOND, { userId: `u${i}`, asn: cloud }));
    expect(Object.keys(clock.due).sort()).toEqual(["198.51.100.0/24", "AS64500"]);
    // Ordinary logins elsewhere: the attacking network says nothing more.
    const elsewhere = (at: number) => loginObs(at, { userId: "owner", network: "192.0.2.0/24" });
    feed(elsewhere(T0 + 14 * MINUTE));
    expect(verdicts).toEqual([]);
    feed(elsewhere(T0 + 15 * MINUTE));
    expect(verdicts.filter((v) => v.network === "198.51.100.0/24")).toHaveLength(spray);
    expect(verdicts.filter((v) => v.network === "AS64500")).toHaveLength(spray);
    expect(clock.due).toEqual({});
  });

  it("names sources by key", () => {
    expect(sourceOfKey("AS3320")).toEqual({ key: "AS3320", scope: "asn" });
    expect(sourceOfKey("2001:db8:1::/48")).toEqual({ key: "2001:db8:1::/48", scope: "network" });
  });
});
