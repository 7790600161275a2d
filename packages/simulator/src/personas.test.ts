import type { AccountEvent } from "@vigil/events";
import type { Place } from "@vigil/geo";
import { distanceKm, locate, networkPrefix, parseIp } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { MOBILE_AGENTS } from "./agents.ts";
import { generateScenario } from "./scenario.ts";
import type { ScenarioName } from "./types.ts";

function placeOf(ip: string | undefined): Place {
  const parsed = ip === undefined ? null : parseIp(ip);
  const place = parsed === null ? null : locate(parsed);
  if (place === null) throw new Error(`no place for ${ip}`);
  return place;
}

function prefixOf(ip: string | undefined): string {
  const parsed = ip === undefined ? null : parseIp(ip);
  if (parsed === null) throw new Error(`not an IP: ${ip}`);
  return networkPrefix(parsed);
}

const at = (e: AccountEvent) => Date.parse(e.occurredAt);
const events = (name: ScenarioName, seed = 5) => generateScenario(name, { seed }).map((i) => i.event);
const loginsOf = (list: AccountEvent[]) =>
  list.filter((e) => e.type === "login.succeeded" || e.type === "login.failed");
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

describe("benign personas", { timeout: 60_000 }, () => {
  it("home_user: a laptop and a phone, home broadband and a carrier, one city", () => {
    let usual = 0;
    let all = 0;
    for (const seed of SEEDS) {
      const logins = loginsOf(events("home_user", seed));
      expect(new Set(logins.map((e) => `${placeOf(e.ip).country}/${placeOf(e.ip).city}`)).size).toBe(1);
      expect(new Set(logins.map((e) => e.deviceId)).size).toBeLessThanOrEqual(2);
      const prefixes = new Map<string, number>();
      for (const e of logins) prefixes.set(prefixOf(e.ip), (prefixes.get(prefixOf(e.ip)) ?? 0) + 1);
      usual += [...prefixes.values()]
        .sort((a, b) => b - a)
        .slice(0, 2)
        .reduce((a, b) => a + b, 0);
      all += logins.length;
    }
    // Home broadband and the carrier, but for a café's or a friend's Wi-Fi now and then.
    expect(usual / all).toBeGreaterThanOrEqual(0.9);
  });

  it("commuter: two cities of one country", () => {
    const cities = new Set<string>();
    const countries = new Set<string>();
    for (const e of loginsOf(events("commuter"))) {
      cities.add(placeOf(e.ip).city ?? "");
      countries.add(placeOf(e.ip).country);
    }
    expect(cities.size).toBe(2);
    expect(countries.size).toBe(1);
  });

  it("traveller: goes abroad and comes back, never faster than a plane", () => {
    for (const seed of SEEDS) {
      const logins = loginsOf(events("traveller", seed));
      const places = logins.map((e) => placeOf(e.ip));
      const home = places[0]?.country;
      expect(places.some((p) => p.country !== home)).toBe(true);
      expect(places.at(-1)?.country).toBe(home);
      for (let i = 1; i < logins.length; i++) {
        const km = distanceKm(places[i - 1] as Place, places[i] as Place);
        const hours = (at(logins[i] as AccountEvent) - at(logins[i - 1] as AccountEvent)) / 3_600_000;
        if (km > 100)
          expect(km / hours, `seed ${seed}: ${km.toFixed(0)} km in ${hours.toFixed(2)} h`).toBeLessThan(1000);
      }
    }
  });

  it("new_phone: a phone of another family appears later, on a network seen before", () => {
    const all = events("new_phone");
    const logins = all.filter((e) => e.type === "login.succeeded");
    const osOf = (ua: string | undefined) => MOBILE_AGENTS.find((a) => a.ua === ua)?.os;
    const phones = [...new Set(logins.filter((e) => osOf(e.userAgent) !== undefined).map((e) => e.deviceId))];
    expect(phones.length).toBe(2);
    const firstNew = logins.find((e) => e.deviceId === phones[1]);
    const oldPhone = logins.find((e) => e.deviceId === phones[0]);
    expect(osOf(firstNew?.userAgent)).not.toBe(osOf(oldPhone?.userAgent));
    const before = logins.filter((e) => at(e) < at(firstNew as AccountEvent)).map((e) => prefixOf(e.ip));
    expect(before).toContain(prefixOf(firstNew?.ip));
  });

  it("password_typos: bad passwords from the same address, then a success", () => {
    const all = events("password_typos");
    const index = all.findIndex((e, i) => e.type === "login.failed" && all[i + 1]?.type === "login.failed");
    expect(index).toBeGreaterThanOrEqual(0);
    const success = all.slice(index).find((e) => e.type === "login.succeeded");
    expect(success?.ip).toBe(all[index]?.ip);
  });

  it("ipv6_rotating: a new IPv6 address every day, all inside one /48", () => {
    let weeksAtHome = 0;
    for (const seed of SEEDS) {
      // A week spent on the carrier and in cafés has no IPv6 login at all; most have several.
      const logins = loginsOf(events("ipv6_rotating", seed)).filter((e) => e.ip.includes(":"));
      if (logins.length > 0) weeksAtHome++;
      expect(new Set(logins.map((e) => prefixOf(e.ip))).size).toBeLessThanOrEqual(1);
      const days = new Set(logins.map((e) => e.occurredAt.slice(0, 10)));
      expect(new Set(logins.map((e) => e.ip)).size).toBe(days.size);
    }
    expect(weeksAtHome).toBeGreaterThanOrEqual(SEEDS.length - 2);
  });

  it("new_user: the account's first event is a successful first login that sets the account up", () => {
    const all = events("new_user");
    expect(all[0]?.type).toBe("login.succeeded");
    const first = all.filter((e) => e.sessionId === all[0]?.sessionId);
    expect(first.some((e) => e.type === "settings.changed" && e.setting === "profile")).toBe(true);
  });

  it("photo_cleanup: hundreds of photos deleted from a known device and network", () => {
    const all = events("photo_cleanup");
    const deletions = all.filter(
      (e) => e.type === "content.deleted" && e.contentType === "photo" && e.count >= 20,
    );
    const session = deletions[0]?.sessionId;
    const total = deletions
      .filter((e) => e.sessionId === session)
      .reduce((sum, e) => sum + (e.type === "content.deleted" ? e.count : 0), 0);
    expect(total).toBeGreaterThanOrEqual(60);
    const cleanup = all.find((e) => e.type === "login.succeeded" && e.sessionId === session);
    const others = all.filter((e) => e.type === "login.succeeded" && e.sessionId !== session);
    expect(others.some((e) => e.deviceId === cleanup?.deviceId)).toBe(true);
    expect(others.map((e) => prefixOf(e.ip))).toContain(prefixOf(cleanup?.ip));
  });
});
