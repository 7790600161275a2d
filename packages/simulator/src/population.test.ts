import { accountEventSchema, eventKey } from "@vigil/events";
import type { Place } from "@vigil/geo";
import { distanceKm, locate, parseIp } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { generatePopulation } from "./population.ts";
import { ATTACKS, PERSONAS } from "./types.ts";

function fail(message: string): never {
  throw new Error(message);
}

const options = { seed: 7, users: 300, days: 10 };

/** Personas whose addresses do not follow them: a VPN exit, a roaming phone, a carrier's gateway. */
const ELSEWHERE = ["vpn_user", "roaming_traveller", "carrier_hopper"];
const population = generatePopulation(options);
const times = population.map((item) => Date.parse(item.event.occurredAt));

describe("generatePopulation", () => {
  it("gives byte-identical output for the same options and different output for another seed", () => {
    expect(JSON.stringify(generatePopulation(options))).toBe(JSON.stringify(population));
    const other = generatePopulation({ ...options, seed: 8 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(population));
    const ids = new Set(population.map((i) => i.event.id));
    expect(other.some((i) => ids.has(i.event.id))).toBe(false);
  });

  it("writes only events that pass accountEventSchema unchanged", () => {
    for (const { event } of population) {
      const result = accountEventSchema.safeParse(event);
      expect(result.error?.message, JSON.stringify(event)).toBeUndefined();
      expect(result.data).toEqual(event);
    }
  });

  it("uses unique event ids, and each session id for one user only", () => {
    expect(new Set(population.map((i) => i.event.id)).size).toBe(population.length);
    const owner = new Map<string, string>();
    for (const { event } of population) {
      if (event.sessionId === undefined || event.userId === undefined) continue;
      expect(owner.get(event.sessionId) ?? event.userId).toBe(event.userId);
      owner.set(event.sessionId, event.userId);
    }
  });

  it("is sorted by occurredAt, inside the window, so every key's events are in time order", () => {
    const from = Date.parse("2026-11-01T00:00:00Z");
    const to = from + options.days * 86_400_000;
    const last = new Map<string, number>();
    population.forEach((item, i) => {
      const at = times[i] as number;
      expect(at).toBeGreaterThanOrEqual(i === 0 ? from : (times[i - 1] as number));
      expect(at).toBeLessThan(to);
      const key = eventKey(item.event);
      expect(at).toBeGreaterThanOrEqual(last.get(key) ?? 0);
      last.set(key, at);
    });
  });

  it("fits the attacks that last days whole into a month", () => {
    const month = generatePopulation({ seed: 5, users: 300, days: 30, attackRate: 0.4 });
    const byAttack = new Map<string, { scenario: string; types: Set<string>; logins: number }>();
    for (const { event, label } of month) {
      if (!label.attack || label.userId === undefined) continue;
      const key = `${label.actor}/${label.userId}`;
      const entry = byAttack.get(key) ?? { scenario: label.scenario, types: new Set(), logins: 0 };
      if (event.type === "settings.changed") entry.types.add(event.setting);
      if (event.type === "login.succeeded") entry.logins++;
      byAttack.set(key, entry);
    }
    const of = (scenario: string) => [...byAttack.values()].filter((a) => a.scenario === scenario);
    expect(of("patient_takeover").length).toBeGreaterThan(0);
    for (const a of of("patient_takeover")) expect(a.types.has("email")).toBe(true);
    for (const a of of("local_proxy")) expect(a.types.has("email")).toBe(true);
    for (const a of of("slow_wipe")) expect(a.logins).toBeGreaterThanOrEqual(5);
  });

  it("keeps stories that last days inside a short window", () => {
    const short = generatePopulation({ seed: 3, users: 200, days: 2, attackRate: 0.5 });
    const end = Date.parse("2026-11-01T00:00:00Z") + 2 * 86_400_000;
    expect(short.some((i) => i.label.scenario === "slow_wipe")).toBe(true);
    for (const { event } of short) expect(Date.parse(event.occurredAt)).toBeLessThan(end);
  });

  it("opens every session with a login (but a stolen cookie's from before the window) and ends it last", () => {
    const opened = new Set<string>();
    const ended = new Set<string>();
    for (const { event, label } of population) {
      if (event.type === "login.failed" || event.sessionId === undefined) continue;
      if (event.type === "login.succeeded") opened.add(event.sessionId);
      else if (!opened.has(event.sessionId) && label.scenario === "cookie_replay" && label.attack)
        opened.add(event.sessionId);
      else expect(opened.has(event.sessionId) && !ended.has(event.sessionId), event.id).toBe(true);
      if (event.type === "session.ended") ended.add(event.sessionId);
    }
  });

  it("labels events consistently with their content", () => {
    const stories = new Set<string>([...PERSONAS, ...ATTACKS]);
    for (const { event, label } of population) {
      expect(stories.has(label.scenario)).toBe(true);
      expect(label.userId).toBe(event.userId);
      expect(label.sessionId).toBe(event.sessionId);
      if (!label.attack) expect(label.actor).toBe(PERSONAS.find((p) => p === label.actor));
      if (label.attack) expect(label.actor).toMatch(/^atk_/);
    }
  });

  it("attacks about attackRate of the users with every kind of attack", () => {
    const victimsOf = (items: typeof population) => {
      const victims = new Set<string>();
      const kinds = new Set<string>();
      for (const { label } of items) {
        if (!label.attack) continue;
        kinds.add(label.scenario);
        // A victim is an account the attacker got into: a session of theirs (a login or a cookie).
        if (label.sessionId !== undefined && label.userId !== undefined) victims.add(label.userId);
      }
      return { victims, kinds };
    };
    expect(victimsOf(population).victims.size).toBe(Math.round(options.users * 0.05));
    const heavy = generatePopulation({ ...options, attackRate: 0.4 });
    const { victims, kinds } = victimsOf(heavy);
    expect(victims.size).toBe(Math.round(options.users * 0.4));
    expect([...kinds].sort()).toEqual([...ATTACKS].sort());
    const benign = generatePopulation({ ...options, users: 50, attackRate: 0 });
    expect(benign.some((i) => i.label.attack)).toBe(false);
  });

  it("is mostly logins and content edits, with some failures and settings changes", () => {
    const count = (type: string) => population.filter((i) => i.event.type === type && !i.label.attack).length;
    const logins = count("login.succeeded");
    expect(count("content.modified")).toBeGreaterThan(logins);
    expect(count("login.failed")).toBeGreaterThan(logins * 0.02);
    expect(count("login.failed")).toBeLessThan(logins * 0.2);
    expect(count("settings.changed")).toBeGreaterThan(0);
    expect(count("session.ended")).toBe(logins);
  });

  it("spreads users over many countries, at real addresses geoip-lite places there", () => {
    const countries = new Set<string>();
    for (const { event, label } of population) {
      if (label.attack || event.type !== "login.succeeded") continue;
      const place = locate(parseIp(event.ip) ?? fail(event.ip));
      expect(place, event.ip).not.toBeNull();
      countries.add(place?.country ?? "");
    }
    expect(countries.size).toBeGreaterThanOrEqual(12);
  });

  it("never moves a legitimate user faster than a plane between logins", () => {
    const last = new Map<string, { at: number; place: Place }>();
    for (const [i, { event, label }] of population.entries()) {
      if (label.attack || event.userId === undefined || !event.type.startsWith("login.")) continue;
      if (ELSEWHERE.includes(label.actor)) continue;
      const place = locate(parseIp(event.ip ?? "") ?? fail(`${event.ip}`)) ?? fail(`${event.ip}`);
      const previous = last.get(event.userId);
      if (previous !== undefined && distanceKm(previous.place, place) > 100) {
        const hours = ((times[i] as number) - previous.at) / 3_600_000;
        expect(distanceKm(previous.place, place) / hours, event.id).toBeLessThan(1000);
      }
      last.set(event.userId, { at: times[i] as number, place });
    }
  });

  it("rejects options no caller could mean", () => {
    expect(() => generatePopulation({ seed: 1, users: -1, days: 1 })).toThrow(RangeError);
    expect(() => generatePopulation({ seed: 1, users: 1, days: 0 })).toThrow(RangeError);
    expect(() => generatePopulation({ seed: 1, users: 1, days: 1, attackRate: 2 })).toThrow(RangeError);
    expect(() => generatePopulation({ seed: 1, users: 1, days: 1, start: "yesterday" })).toThrow(RangeError);
    expect(generatePopulation({ seed: 1, users: 0, days: 1 })).toEqual([]);
  });

  it("generates 2000 users × 30 days in seconds", { timeout: 120_000 }, () => {
    const started = performance.now();
    const big = generatePopulation({ seed: 1, users: 2000, days: 30 });
    const ms = performance.now() - started;
    console.log(
      `2000 users × 30 days: ${big.length} events (${(big.length / 60_000).toFixed(2)} per user per day) in ${ms.toFixed(0)} ms`,
    );
    expect(big.length).toBeGreaterThan(100_000);
  });
});
