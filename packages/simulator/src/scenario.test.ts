import type { AccountEvent } from "@vigil/events";
import { accountEventSchema } from "@vigil/events";
import type { Place } from "@vigil/geo";
import { distanceKm, locate, networkPrefix, parseIp } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { generateScenario } from "./scenario.ts";
import type { LabelledEvent, ScenarioName } from "./types.ts";
import { SCENARIOS } from "./types.ts";

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

const logins = (items: LabelledEvent[]) =>
  items
    .map((i) => i.event)
    .filter((e): e is Extract<AccountEvent, { type: "login.succeeded" }> => e.type === "login.succeeded");

const at = (e: AccountEvent) => Date.parse(e.occurredAt);

describe.each(SCENARIOS)("generateScenario(%s)", (name: ScenarioName) => {
  const items = generateScenario(name, { seed: 3 });

  it("is deterministic, valid, sorted and labelled with its scenario", () => {
    expect(JSON.stringify(generateScenario(name, { seed: 3 }))).toBe(JSON.stringify(items));
    expect(JSON.stringify(generateScenario(name, { seed: 4 }))).not.toBe(JSON.stringify(items));
    expect(items.length).toBeGreaterThan(3);
    expect(new Set(items.map((i) => i.event.id)).size).toBe(items.length);
    for (let i = 0; i < items.length; i++) {
      const { event } = items[i] as LabelledEvent;
      expect(accountEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
      if (i > 0) expect(at(event)).toBeGreaterThanOrEqual(at((items[i - 1] as LabelledEvent).event));
    }
    expect(items.some((i) => i.label.scenario === name)).toBe(true);
  });

  it("uses the given userId", () => {
    const story = generateScenario(name, { seed: 3, userId: "alice" });
    expect(story.some((i) => i.event.userId === "alice")).toBe(true);
  });
});

it("never reuses an event or session id across scenarios and seeds, even for one userId", () => {
  const ids = new Set<string>();
  const sessions = new Map<string, string>();
  let count = 0;
  for (const seed of [1, 2]) {
    for (const name of SCENARIOS) {
      for (const { event } of generateScenario(name, { seed, userId: "alice" })) {
        ids.add(event.id);
        count++;
        if (event.type === "login.succeeded") {
          expect(sessions.has(event.sessionId)).toBe(false);
          sessions.set(event.sessionId, name);
        }
      }
    }
  }
  expect(ids.size).toBe(count);
});

/** The victim's history (benign events on the account) and the attack's events. */
function split(name: ScenarioName) {
  const items = generateScenario(name, { seed: 11, userId: "victim" });
  const attack = items.filter((i) => i.label.attack);
  const firstAttack = attack[0] ? at(attack[0].event) : Number.POSITIVE_INFINITY;
  const history = items.filter(
    (i) => !i.label.attack && at(i.event) < firstAttack && i.event.userId === "victim",
  );
  return { items, attack, history };
}

describe("attack scenarios", () => {
  it("takeover_abroad: a login from a new country, then email, MFA off and albums deleted within minutes", () => {
    const { attack, history } = split("takeover_abroad");
    const homeCountries = new Set(history.filter((i) => i.event.ip).map((i) => placeOf(i.event.ip).country));
    const [login] = logins(attack);
    if (login === undefined) throw new Error("no attacker login");
    expect(homeCountries.has(placeOf(login.ip).country)).toBe(false);
    expect(new Set(history.map((i) => i.event.deviceId)).has(login.deviceId)).toBe(false);
    const session = attack.filter((i) => i.event.sessionId === login.sessionId).map((i) => i.event);
    const soon = session.filter((e) => at(e) - at(login) <= 30 * 60_000);
    expect(soon.some((e) => e.type === "settings.changed" && e.setting === "email")).toBe(true);
    expect(
      soon.some((e) => e.type === "settings.changed" && e.setting === "mfa" && e.action === "disabled"),
    ).toBe(true);
    expect(soon.some((e) => e.type === "content.deleted" && e.contentType === "album" && e.count >= 20)).toBe(
      true,
    );
    for (const { label } of attack) expect(label).toMatchObject({ userId: "victim", attack: true });
    expect(attack.filter((i) => i.event.sessionId).every((i) => i.label.sessionId === login.sessionId)).toBe(
      true,
    );
  });

  it("impossible_travel: the victim at home, the attacker far away within the hour", () => {
    const { items } = split("impossible_travel");
    const own = logins(items.filter((i) => i.label.scenario === "impossible_travel" && !i.label.attack))[0];
    const theirs = logins(items.filter((i) => i.label.attack))[0];
    if (own === undefined || theirs === undefined) throw new Error("missing logins");
    const hours = (at(theirs) - at(own)) / 3_600_000;
    expect(hours).toBeGreaterThan(0);
    expect(hours).toBeLessThanOrEqual(1);
    expect(distanceKm(placeOf(own.ip), placeOf(theirs.ip)) / hours).toBeGreaterThan(3000);
  });

  it("brute_force: at least 20 bad passwords from one address, then a success from it", () => {
    const { attack } = split("brute_force");
    const failures = attack.filter((i) => i.event.type === "login.failed").map((i) => i.event);
    const [login] = logins(attack);
    expect(failures.length).toBeGreaterThanOrEqual(20);
    expect(new Set(failures.map((e) => e.ip))).toEqual(new Set([login?.ip]));
    expect(
      failures.every(
        (e) => e.type === "login.failed" && e.reason === "bad_password" && at(e) <= at(login as AccountEvent),
      ),
    ).toBe(true);
    expect(failures.every((e) => e.sessionId === undefined)).toBe(true);
  });

  it("password_spray: one /24, at most two failures per account over many accounts, successes labelled", () => {
    const { attack } = split("password_spray");
    expect(new Set(attack.map((i) => prefixOf(i.event.ip))).size).toBe(1);
    const perAccount = new Map<string, number>();
    for (const { event } of attack) {
      if (event.type !== "login.failed") continue;
      const key = event.userId ?? event.accountHint ?? "";
      perAccount.set(key, (perAccount.get(key) ?? 0) + 1);
    }
    expect(perAccount.size).toBeGreaterThanOrEqual(40);
    expect(Math.max(...perAccount.values())).toBeLessThanOrEqual(2);
    const [login] = logins(attack);
    expect(login?.userId).toBe("victim");
    const session = attack.filter((i) => i.event.sessionId === login?.sessionId);
    expect(session.every((i) => i.label.sessionId === login?.sessionId && i.label.userId === "victim")).toBe(
      true,
    );
  });

  it("credential_stuffing: 3–5 /24s, mostly unknown accounts tried once, a success labelled", () => {
    const { attack } = split("credential_stuffing");
    const failures = attack.map((i) => i.event).filter((e) => e.type === "login.failed");
    const blocks = new Set(attack.map((i) => prefixOf(i.event.ip)));
    expect(blocks.size).toBeGreaterThanOrEqual(3);
    expect(blocks.size).toBeLessThanOrEqual(5);
    const unknown = failures.filter((e) => e.reason === "unknown_account");
    expect(unknown.length / failures.length).toBeGreaterThan(0.5);
    expect(unknown.every((e) => e.userId === undefined && e.accountHint !== undefined)).toBe(true);
    const keys = failures.map((e) => e.userId ?? e.accountHint);
    expect(new Set(keys).size).toBe(keys.length);
    expect(
      attack.filter((i) => i.event.type === "login.failed").every((i) => i.label.sessionId === undefined),
    ).toBe(true);
    expect(logins(attack).map((e) => e.userId)).toEqual(["victim"]);
  });

  it("quiet_takeover: the victim's country, another city, a new device, and the recovery email changed", () => {
    const { attack, history } = split("quiet_takeover");
    const [login] = logins(attack);
    if (login === undefined) throw new Error("no attacker login");
    const homes = history.filter((i) => i.event.ip).map((i) => placeOf(i.event.ip));
    const there = placeOf(login.ip);
    expect(homes.every((p) => p.country === there.country && p.city !== there.city)).toBe(true);
    expect(history.some((i) => i.event.deviceId === login.deviceId)).toBe(false);
    expect(
      attack.some((i) => i.event.type === "settings.changed" && i.event.setting === "recovery_email"),
    ).toBe(true);
  });
});
