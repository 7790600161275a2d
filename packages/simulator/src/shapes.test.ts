import type { AccountEvent } from "@vigil/events";
import type { Place } from "@vigil/geo";
import { asnOf, distanceKm, locate, networkPrefix, parseIp } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { operatorOf } from "./network.ts";
import { generateScenario } from "./scenario.ts";
import type { LabelledEvent, ScenarioName } from "./types.ts";

// The shapes of issue 11: each has the property it claims, on every one of a few seeds.

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

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
}
const SEEDS = [1, 2, 3, 4, 5, 6];
type Login = Extract<AccountEvent, { type: "login.succeeded" }>;
type Failure = Extract<AccountEvent, { type: "login.failed" }>;
const isLogin = (e: AccountEvent): e is Login => e.type === "login.succeeded";
const isFailure = (e: AccountEvent): e is Failure => e.type === "login.failed";
const changed = (e: AccountEvent, setting: string, action?: string) =>
  e.type === "settings.changed" && e.setting === setting && (action === undefined || e.action === action);

interface Story {
  items: LabelledEvent[];
  /** The attacker's events. */
  attack: AccountEvent[];
  /** The account owner's own events. */
  own: AccountEvent[];
  homeCountry: string;
  /** The owner's laptop: their most used desktop device. */
  laptop: { deviceId: string; userAgent: string };
}

function story(name: ScenarioName, seed: number): Story {
  const items = generateScenario(name, { seed, userId: "victim" });
  const own = items.filter((i) => !i.label.attack && i.event.userId === "victim").map((i) => i.event);
  const attack = items.filter((i) => i.label.attack).map((i) => i.event);
  const first = own.find(isLogin);
  if (first === undefined) throw new Error(`${name}: no login of the owner`);
  const desktop = own.filter((e) => isLogin(e) && !/Mobile|Android|iPhone|iPad/.test(e.userAgent ?? ""));
  const laptop = desktop[0] ?? first;
  return {
    items,
    attack,
    own,
    homeCountry: placeOf(first.ip).country,
    laptop: { deviceId: laptop.deviceId ?? "", userAgent: laptop.userAgent ?? "" },
  };
}

describe.each(SEEDS)("attack shapes, seed %i", { timeout: 60_000 }, (seed) => {
  it("cookie_replay: no login of the attacker; from another country than the session's login, the recovery email then the password", () => {
    const { attack, own, homeCountry } = story("cookie_replay", seed);
    expect(attack.some((e) => e.type.startsWith("login."))).toBe(false);
    const sessionId = attack[0]?.sessionId;
    expect(attack.every((e) => e.sessionId === sessionId)).toBe(true);
    // The owner's login of that session, unless it was opened before the stream began.
    const login = own.find((e) => isLogin(e) && e.sessionId === sessionId);
    const country = login === undefined ? homeCountry : placeOf(login.ip).country;
    for (const e of attack) expect(placeOf(e.ip).country).not.toBe(country);
    if (login !== undefined) expect(at(attack[0] as AccountEvent)).toBeGreaterThan(at(login));
    const recovery = attack.findIndex((e) => changed(e, "recovery_email"));
    const password = attack.findIndex((e) => changed(e, "password"));
    expect(recovery).toBeGreaterThanOrEqual(0);
    expect(password).toBeGreaterThan(recovery);
  });

  it("session_hijack: inside the owner's live session, from abroad, the email changed and albums deleted", () => {
    const { attack, own } = story("session_hijack", seed);
    expect(attack.some((e) => e.type.startsWith("login."))).toBe(false);
    const sessionId = attack[0]?.sessionId;
    const session = own.filter((e) => e.sessionId === sessionId);
    const login = session.find(isLogin) as Login;
    expect(login).toBeDefined();
    expect(session.some((e) => e.type === "session.ended" && at(e) < at(attack[0] as AccountEvent))).toBe(
      false,
    );
    expect(placeOf(attack[0]?.ip).country).not.toBe(placeOf(login.ip).country);
    expect(attack.some((e) => changed(e, "email"))).toBe(true);
    expect(attack.some((e) => e.type === "content.deleted" && e.contentType === "album")).toBe(true);
  });

  it("infostealer_device: a login abroad with the owner's exact user agent and device id, then email and albums", () => {
    const { attack, homeCountry, laptop } = story("infostealer_device", seed);
    const login = attack.find(isLogin) as Login;
    expect(login.userAgent).toBe(laptop.userAgent);
    expect(login.deviceId).toBe(laptop.deviceId);
    expect(placeOf(login.ip).country).not.toBe(homeCountry);
    expect(attack.some((e) => changed(e, "email"))).toBe(true);
    expect(attack.some((e) => e.type === "content.deleted" && e.contentType === "album")).toBe(true);
  });

  it("laundering: a quiet session from abroad, logged out; the damage from the same place and device 10–25 min later", () => {
    const { attack, homeCountry } = story("laundering", seed);
    const [first, second] = attack.filter(isLogin);
    if (first === undefined || second === undefined) throw new Error("two sessions expected");
    const quiet = attack.filter((e) => e.sessionId === first.sessionId);
    expect(quiet.some((e) => e.type === "settings.changed" || e.type === "content.deleted")).toBe(false);
    const logout = quiet.find((e) => e.type === "session.ended");
    expect(logout?.type === "session.ended" && logout.reason).toBe("logout");
    const gap = (at(second) - at(logout as AccountEvent)) / 60_000;
    expect(gap).toBeGreaterThanOrEqual(10);
    expect(gap).toBeLessThanOrEqual(25);
    expect([second.ip, second.deviceId]).toEqual([first.ip, first.deviceId]);
    expect(placeOf(first.ip).country).not.toBe(homeCountry);
    const damage = attack.filter((e) => e.sessionId === second.sessionId);
    expect(damage.some((e) => changed(e, "email"))).toBe(true);
    expect(damage.some((e) => changed(e, "mfa", "disabled"))).toBe(true);
  });

  it("slow_brute_force: ~40 failures over ~4 h, each from another foreign /24, then a success from yet another", () => {
    const { attack, homeCountry } = story("slow_brute_force", seed);
    const failures = attack.filter(isFailure);
    const login = attack.find(isLogin) as Login;
    expect(failures.length).toBeGreaterThanOrEqual(35);
    expect(failures.length).toBeLessThanOrEqual(45);
    const prefixes = new Set(failures.map((e) => prefixOf(e.ip)));
    expect(prefixes.size).toBe(failures.length);
    expect(prefixes.has(prefixOf(login.ip))).toBe(false);
    for (const e of [...failures, login]) expect(placeOf(e.ip).country).not.toBe(homeCountry);
    const hours = (at(login) - at(failures[0] as AccountEvent)) / 3_600_000;
    expect(hours).toBeGreaterThan(3);
    expect(hours).toBeLessThan(6);
  });

  it("rotating_brute_force: dozens of /24s of one autonomous system, then a success from another /24 of it", () => {
    const { attack } = story("rotating_brute_force", seed);
    const failures = attack.filter(isFailure);
    const login = attack.find(isLogin) as Login;
    expect(failures.length).toBeGreaterThanOrEqual(60);
    expect(new Set(failures.map((e) => prefixOf(e.ip))).size).toBeGreaterThanOrEqual(30);
    const asns = new Set([...failures, login].map((e) => asnOf(e.ip ?? "")?.number));
    expect(asns.size).toBe(1);
    expect([...asns][0]).toBeDefined();
  });

  it("slow_wipe: five or more sessions over three days or more, each deleting little, together a lot", () => {
    const { attack } = story("slow_wipe", seed);
    const logins = attack.filter(isLogin);
    expect(logins.length).toBeGreaterThanOrEqual(5);
    expect((at(logins.at(-1) as Login) - at(logins[0] as Login)) / 86_400_000).toBeGreaterThanOrEqual(3);
    let albums = 0;
    for (const login of logins) {
      const deleted = attack.filter((e) => e.sessionId === login.sessionId && e.type === "content.deleted");
      const count = (type: string) =>
        deleted.reduce(
          (n, e) => n + (e.type === "content.deleted" && e.contentType === type ? e.count : 0),
          0,
        );
      expect(count("album")).toBeLessThanOrEqual(4);
      expect(count("photo")).toBeLessThanOrEqual(55);
      albums += count("album");
    }
    expect(albums + attack.filter((e) => e.type === "content.deleted").length).toBeGreaterThanOrEqual(6);
  });

  it("persistence_settings: at least two of api token, username, privacy, MFA added or updated; no email, no deletion", () => {
    const { attack } = story("persistence_settings", seed);
    const settings = attack.filter((e) => e.type === "settings.changed");
    const kinds = new Set(settings.map((e) => (e.type === "settings.changed" ? e.setting : "")));
    expect(kinds.size).toBeGreaterThanOrEqual(2);
    for (const kind of kinds) expect(["api_token", "username", "privacy", "mfa"]).toContain(kind);
    for (const e of settings)
      if (changed(e, "mfa"))
        expect(["added", "updated"]).toContain(e.type === "settings.changed" && e.action);
    expect(attack.some((e) => e.type === "content.deleted")).toBe(false);
  });

  it("far_login_same_laptop: the home login on the laptop, then the same laptop 8,000+ km away 20–30 min later", () => {
    const { attack, own } = story("far_login_same_laptop", seed);
    const theirs = attack.find(isLogin) as Login;
    const mine = own.filter((e) => isLogin(e) && at(e) < at(theirs)).at(-1) as Login;
    const minutes = (at(theirs) - at(mine)) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(20);
    expect(minutes).toBeLessThanOrEqual(31);
    expect([theirs.userAgent, theirs.deviceId]).toEqual([mine.userAgent, mine.deviceId]);
    expect(distanceKm(placeOf(mine.ip), placeOf(theirs.ip))).toBeGreaterThanOrEqual(7500);
  });

  it("new_region_recovery: a new device, then the recovery email and the password", () => {
    const { attack, own } = story("new_region_recovery", seed);
    const login = attack.find(isLogin) as Login;
    expect(own.some((e) => e.deviceId === login.deviceId)).toBe(false);
    expect(attack.some((e) => changed(e, "recovery_email"))).toBe(true);
    expect(attack.some((e) => changed(e, "password"))).toBe(true);
  });

  it("local_proxy: the owner's city and carrier, the owner's phone model, another device id", () => {
    const { attack, own } = story("local_proxy", seed);
    const logins = attack.filter(isLogin);
    const phones = own.filter(
      (e) => isLogin(e) && /Mobile|Android|iPhone/.test(e.userAgent ?? ""),
    ) as Login[];
    const home = placeOf(own.find(isLogin)?.ip);
    for (const login of logins) {
      expect(placeOf(login.ip).city).toBe(home.city);
      // (Unless the owner's week happened to be all on the laptop.)
      if (phones.length > 0) expect(phones.map((e) => e.userAgent)).toContain(login.userAgent);
      expect(phones.map((e) => e.deviceId)).not.toContain(login.deviceId);
    }
    // Another subscriber of the owner's ISP or carrier: a people's network, not a cloud.
    for (const login of logins) expect(operatorOf(login.ip)).toBe("isp");
    expect(attack.some((e) => changed(e, "recovery_email"))).toBe(true);
    expect(attack.some((e) => changed(e, "email"))).toBe(true);
  });

  it("patient_takeover: three or more quiet visits a day or so apart before the first change", () => {
    const { attack, laptop } = story("patient_takeover", seed);
    const firstChange = attack.findIndex((e) => e.type === "settings.changed");
    const quiet = attack.slice(0, firstChange).filter(isLogin);
    const ramp = attack.filter(isLogin).find((l) => l.sessionId === attack[firstChange]?.sessionId);
    expect(quiet.filter((l) => l !== ramp).length).toBeGreaterThanOrEqual(3);
    const logins = attack.filter(isLogin);
    for (let i = 1; i < logins.length; i++)
      expect(at(logins[i] as Login) - at(logins[i - 1] as Login)).toBeGreaterThan(16 * 3_600_000);
    for (const login of logins) expect(login.userAgent).toBe(laptop.userAgent);
    expect(attack.some((e) => changed(e, "email"))).toBe(true);
  });

  it("shared_vpn_exit: a VPN user's own exit /24, a new device like the laptop, then recovery email and password", () => {
    const { items, attack, laptop } = story("shared_vpn_exit", seed);
    const exits = new Set(
      items.filter((i) => i.label.focus === true && !i.label.attack).map((i) => prefixOf(i.event.ip)),
    );
    const login = attack.find(isLogin) as Login;
    expect(exits.has(prefixOf(login.ip))).toBe(true);
    expect(login.userAgent).toBe(laptop.userAgent);
    expect(items.some((i) => !i.label.attack && i.event.deviceId === login.deviceId)).toBe(false);
    expect(attack.some((e) => changed(e, "recovery_email"))).toBe(true);
    expect(attack.some((e) => changed(e, "password"))).toBe(true);
  });

  it("rotating_stuffing: every attempt from one of dozens of /24s of one autonomous system", () => {
    const { attack } = story("rotating_stuffing", seed);
    const tried = attack.filter((e) => e.type.startsWith("login."));
    expect(new Set(tried.map((e) => prefixOf(e.ip))).size).toBeGreaterThanOrEqual(30);
    expect(new Set(tried.map((e) => asnOf(e.ip ?? "")?.number)).size).toBe(1);
  });

  it("distributed_spray: no home line used more than three times; the account entered from its owner's country", () => {
    const { attack, homeCountry } = story("distributed_spray", seed);
    const perLine = new Map<string, number>();
    for (const e of attack.filter(isFailure)) perLine.set(e.ip, (perLine.get(e.ip) ?? 0) + 1);
    expect(Math.max(...perLine.values())).toBeLessThanOrEqual(3);
    const login = attack.find(isLogin) as Login;
    expect(login.userId).toBe("victim");
    expect(placeOf(login.ip).country).toBe(homeCountry);
  });
});

describe("cookie_replay over many seeds", { timeout: 60_000 }, () => {
  it("cookie_replay: sometimes a session Vigil never saw, sometimes the owner's, warm or days old", () => {
    const kinds = new Set<string>();
    for (const s of SEEDS.flatMap((x) => [x, x + 100, x + 200])) {
      const { attack, own } = story("cookie_replay", s);
      const login = own.find((e) => isLogin(e) && e.sessionId === attack[0]?.sessionId);
      if (login === undefined) kinds.add("unseen");
      else kinds.add(at(attack[0] as AccountEvent) - at(login) > 12 * 3_600_000 ? "days" : "warm");
    }
    expect([...kinds].sort()).toEqual(["days", "unseen", "warm"]);
  });
});

describe.each(SEEDS)("benign shapes, seed %i", (seed) => {
  const focus = (name: ScenarioName) =>
    generateScenario(name, { seed })
      .filter((i) => i.label.focus === true)
      .map((i) => i.event);
  const all = (name: ScenarioName) => generateScenario(name, { seed }).map((i) => i.event);

  it("vpn_user: a VPN exit in another country and home within 45 minutes of each other", () => {
    const events = all("vpn_user");
    const logins = events.filter(isLogin);
    const home = mostCommon(logins.map((e) => placeOf(e.ip).country));
    const toggled = logins.some((a, i) =>
      logins
        .slice(i + 1)
        .some(
          (b) =>
            at(b) - at(a) <= 45 * 60_000 &&
            (placeOf(a.ip).country === home) !== (placeOf(b.ip).country === home),
        ),
    );
    expect(toggled).toBe(true);
    expect(focus("vpn_user").some((e) => e.ip !== undefined && placeOf(e.ip).country !== home)).toBe(true);
  });

  it("roaming_traveller: hotel Wi-Fi abroad and the phone geolocated at home within 30 minutes", () => {
    const logins = focus("roaming_traveller").filter(isLogin);
    const home = placeOf(all("roaming_traveller").find(isLogin)?.ip).country;
    const pair = logins.some((a, i) => {
      const b = logins[i + 1];
      return (
        b !== undefined &&
        at(b) - at(a) <= 31 * 60_000 &&
        (placeOf(a.ip).country === home) !== (placeOf(b.ip).country === home)
      );
    });
    expect(pair).toBe(true);
  });

  it("carrier_hopper: the phone on networks of several autonomous systems, all in one country", () => {
    const logins = all("carrier_hopper").filter(isLogin);
    expect(new Set(logins.map((e) => placeOf(e.ip).country)).size).toBe(1);
    expect(
      new Set(focus("carrier_hopper").map((e) => asnOf(e.ip ?? "")?.number)).size,
    ).toBeGreaterThanOrEqual(2);
  });

  it("forgot_password: wrong passwords on the owner's own device, a success, and a new password", () => {
    const events = focus("forgot_password");
    const failures = events.filter(isFailure);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    const login = events.find(isLogin) as Login;
    const devices = new Set(
      all("forgot_password")
        .filter((e) => !e.type.startsWith("login.f"))
        .map((e) => e.deviceId),
    );
    for (const e of failures) expect(devices.has(e.deviceId)).toBe(true);
    expect(events.some((e) => e.sessionId === login.sessionId && changed(e, "password"))).toBe(true);
  });

  it("new_phone_secured: a device never seen, on a network seen before, then a new password and a recovery phone", () => {
    const events = all("new_phone_secured");
    const login = focus("new_phone_secured").find(isLogin) as Login;
    const before = events.filter((e) => at(e) < at(login));
    expect(before.some((e) => e.deviceId === login.deviceId)).toBe(false);
    expect(before.some((e) => e.ip !== undefined && prefixOf(e.ip) === prefixOf(login.ip))).toBe(true);
    const session = events.filter((e) => e.sessionId === login.sessionId);
    expect(session.some((e) => changed(e, "password"))).toBe(true);
    expect(session.some((e) => changed(e, "recovery_phone"))).toBe(true);
  });

  it("big_cleanup: hundreds of photos deleted in one evening, from home", () => {
    const events = focus("big_cleanup");
    const photos = events.reduce(
      (n, e) => n + (e.type === "content.deleted" && e.contentType === "photo" ? e.count : 0),
      0,
    );
    expect(photos).toBeGreaterThanOrEqual(120);
    expect(new Set(events.map((e) => prefixOf(e.ip))).size).toBe(1);
    expect(at(events.at(-1) as AccountEvent) - at(events[0] as AccountEvent)).toBeLessThan(8 * 3_600_000);
  });
});
