import type { AccountEventInput } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { configure, defaultDetectionConfig } from "./config.ts";
import type { FlagUpdate } from "./flag.ts";
import type { Observation } from "./observation.ts";
import { emptyPopulation, type PopulationState } from "./population.ts";
import { DAY, history, loginObs, MINUTE, PLACES, SECOND, sessionObs, UA } from "./testing.ts";
import { observeUser } from "./user.ts";
import type { UserState } from "./userState.ts";

const abroad = {
  place: PLACES.lagos,
  network: "41.58.1.0/24",
  userAgent: UA.firefoxLinux,
  sessionId: "evil",
};
const inSession = (at: number, fields: Partial<AccountEventInput> & { type: AccountEventInput["type"] }) =>
  sessionObs(at, "evil", fields);

function replay(
  state: UserState,
  population: PopulationState,
  observations: Observation[],
  config = defaultDetectionConfig,
) {
  const flags: FlagUpdate[][] = [];
  for (const obs of observations) flags.push(observeUser(state, population, obs, config).flags);
  return flags;
}

describe("the takeover story", () => {
  it("escalates one flag from the login abroad to critical as email, MFA and albums go", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const steps = replay(state, population, [
      loginObs(t, abroad),
      inSession(t + 2 * MINUTE, { type: "settings.changed", setting: "email", action: "updated" }),
      inSession(t + 4 * MINUTE, { type: "settings.changed", setting: "mfa", action: "disabled" }),
      inSession(t + 8 * MINUTE, { type: "content.deleted", contentType: "album", count: 30 }),
    ]);
    const [login, email, mfa, deletion] = steps.map((flags) => flags[0]);
    expect(steps.every((flags) => flags.length === 1)).toBe(true);
    expect(new Set(steps.map((flags) => flags[0]?.id)).size).toBe(1);
    expect([login, email, mfa, deletion].map((f) => f?.severity)).toEqual([
      "medium",
      "high",
      "critical",
      "critical",
    ]);
    expect([login, email, mfa, deletion].map((f) => f?.created)).toEqual([true, false, false, false]);
    expect(deletion?.reasons[0]?.code).toBe("risky_session_activity");
    expect(deletion?.reasons[0]?.message).toBe(
      "Email changed, two-factor authentication turned off and mass deletion in a session whose login was already suspicious (new country, new device)",
    );
    expect(deletion?.reasons.map((r) => r.code).sort()).toEqual(
      [
        "email_changed",
        "mass_deletion",
        "mfa_disabled",
        "new_country",
        "new_device",
        "risky_session_activity",
      ].sort(),
    );
    expect(deletion?.eventCount).toBe(4);
    const scores = [login, email, mfa, deletion].map((f) => f?.score ?? 0);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
  });

  it("treats the same changes from the usual place and device as low-risk housekeeping", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const home = loginObs(t, { sessionId: "evil", deviceId: "laptop-1" });
    const steps = replay(state, population, [
      home,
      inSession(t + MINUTE, { type: "settings.changed", setting: "email" }),
    ]);
    expect(steps[0]).toEqual([]);
    expect(steps[1]?.[0]).toMatchObject({ severity: "low", reasons: [{ code: "email_changed" }] });
  });
});

describe("risky session activity", () => {
  // A login whose only reason is impossible travel scores exactly the travel points.
  function travelSession(riskyLoginScore: number) {
    const config = configure({ activity: { riskyLoginScore } });
    const population = emptyPopulation();
    const { state, end } = history(3, population, config);
    const t = end + 30 * MINUTE;
    const obs = loginObs(t, {
      place: PLACES.newYork,
      sessionId: "evil",
      deviceId: "laptop-1",
      network: "192.0.2.0/24",
    });
    observeUser(state, population, obs, config);
    const login = state.sessions.find((s) => s.id === "evil")?.login ?? 0;
    const change = inSession(t + MINUTE, { type: "settings.changed", setting: "recovery_email" });
    return { login, change: observeUser(state, population, change, config).flags[0] };
  }

  it("escalates at the risky-login threshold and not one point over the login's score", () => {
    const { login: score } = travelSession(defaultDetectionConfig.activity.riskyLoginScore);
    expect(travelSession(score).change?.reasons[0]?.code).toBe("risky_session_activity");
    expect(["high", "critical"]).toContain(travelSession(score).change?.severity);
    expect(travelSession(score + 1).change?.reasons.map((r) => r.code)).not.toContain(
      "risky_session_activity",
    );
  });
});

describe("out-of-order arrival", () => {
  it("scores and learns a login that arrives late within the bound, without moving history back", () => {
    const population = emptyPopulation();
    const { state, end } = history(10, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { sessionId: "now" }));
    const late = loginObs(t - defaultDetectionConfig.lateToleranceMs + SECOND, {
      sessionId: "late",
      place: PLACES.potsdam,
    });
    observeUser(state, population, late);
    expect(state.profile.logins).toBe(12);
    expect(state.profile.lastAt).toBe(t);
    expect(state.newest).toBe(t);
    const times = state.profile.places.map((p) => p.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("scores a login later than the bound but does not learn from it", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { sessionId: "now" }));
    const tooLate = loginObs(t - defaultDetectionConfig.lateToleranceMs - SECOND, abroad);
    expect(observeUser(state, population, tooLate).flags[0]?.reasons[0]?.code).toBe("new_country");
    expect(state.profile.logins).toBe(41);
    expect(state.profile.values.country.NG).toBeUndefined();
  });

  it("judges activity that arrived before its late login once the login is known", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const change = observeUser(
      state,
      population,
      inSession(t + MINUTE, { type: "settings.changed", setting: "email" }),
    );
    expect(change.flags[0]?.severity).toBe("low");
    const login = observeUser(state, population, loginObs(t, abroad)).flags[0];
    expect(login?.reasons[0]?.code).toBe("risky_session_activity");
    expect(login?.severity).toBe("high");
  });
});

describe("replay determinism", () => {
  function story(): Observation[] {
    const observations: Observation[] = [];
    const t = Date.parse("2025-05-01T10:00:00Z");
    for (let i = 0; i < 25; i++) {
      const at = t + i * 20 * 3_600_000;
      observations.push(
        loginObs(at, {
          sessionId: `h${i}`,
          deviceId: "laptop-1",
          network: i % 4 ? "192.0.2.0/24" : "10.0.0.0/24",
        }),
      );
      observations.push(
        sessionObs(at + MINUTE, `h${i}`, { type: "content.modified", contentType: "photo", count: 2 }),
      );
    }
    const at = t + 25 * 20 * 3_600_000;
    observations.push(loginObs(at, abroad));
    observations.push(inSession(at + MINUTE, { type: "settings.changed", setting: "email" }));
    observations.push(
      loginObs(at + 30 * MINUTE, { place: PLACES.newYork, sessionId: "ny", network: "203.0.113.0/24" }),
    );
    observations.push(
      inSession(at + 40 * MINUTE, { type: "content.deleted", contentType: "photo", count: 80 }),
    );
    return observations;
  }

  it("gives identical flags and states on a replay, also when every state goes through JSON between events", () => {
    const observations = story();
    const direct = {
      state: undefined as UserState | undefined,
      population: emptyPopulation(),
      flags: [] as FlagUpdate[],
    };
    const viaJson = {
      state: undefined as UserState | undefined,
      population: emptyPopulation(),
      flags: [] as FlagUpdate[],
    };
    for (const obs of observations) {
      const a = observeUser(direct.state, direct.population, obs);
      direct.state = a.state;
      direct.flags.push(...a.flags);
      const b = observeUser(viaJson.state, viaJson.population, obs);
      viaJson.state = JSON.parse(JSON.stringify(b.state));
      viaJson.population = JSON.parse(JSON.stringify(viaJson.population));
      viaJson.flags.push(...b.flags);
    }
    expect(direct.flags.length).toBeGreaterThanOrEqual(3);
    expect(viaJson.flags).toEqual(direct.flags);
    expect(JSON.stringify(viaJson.state)).toBe(JSON.stringify(direct.state));
    expect(JSON.stringify(viaJson.population)).toBe(JSON.stringify(direct.population));
  });
});

describe("flag updates", () => {
  it("are returned only when something changed, and only for raised flags", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const quiet = replay(state, population, [
      loginObs(t, { sessionId: "home" }),
      sessionObs(t + MINUTE, "home", { type: "content.modified", contentType: "photo", count: 1 }),
    ]);
    expect(quiet.flat()).toEqual([]);
    const flagged = replay(state, population, [
      loginObs(t + DAY, abroad),
      inSession(t + DAY + MINUTE, { type: "content.modified", contentType: "photo", count: 1 }),
    ]);
    expect(flagged.map((f) => f.length)).toEqual([1, 1]);
    expect(flagged[1]?.[0]).toMatchObject({ eventCount: 2, score: flagged[0]?.[0]?.score, created: false });
  });

  it("ignores events without a user id", () => {
    const population = emptyPopulation();
    const { state, end } = history(2, population);
    const obs = loginObs(end + DAY);
    const anonymous = { ...obs, event: { ...obs.event, userId: undefined } } as unknown as Observation;
    expect(observeUser(state, population, anonymous).flags).toEqual([]);
  });
});

describe("learning from risky logins", () => {
  it("holds back a risky login until its session ended quietly and hours passed", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const login = observeUser(state, population, loginObs(t, abroad)).flags[0];
    expect(login?.severity).toBe("medium");
    expect(state.profile.values.country.NG).toBeUndefined();
    observeUser(state, population, inSession(t + MINUTE, { type: "session.ended" }));
    // A laundering attacker logs out quietly and is back minutes later: nothing learned yet.
    expect(state.profile.values.country.NG).toBeUndefined();
    const ttl = defaultDetectionConfig.session.ttlMs;
    const home = (at: number, sessionId: string) => loginObs(at, { sessionId, deviceId: "laptop-1" });
    observeUser(state, population, home(t + MINUTE + ttl - MINUTE, "home-a"));
    expect(state.profile.values.country.NG).toBeUndefined();
    observeUser(
      state,
      population,
      home(t + 2 * MINUTE + ttl + defaultDetectionConfig.session.sweepMs, "home-b"),
    );
    expect(state.profile.values.country.NG?.n).toBe(1);
  });

  it("learns a login below the risky-login score at once, and one at it only later", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(
      state,
      population,
      loginObs(t, { sessionId: "cafe", network: "198.18.7.0/24", deviceId: "laptop-1" }),
    );
    const cafe = state.sessions.find((s) => s.id === "cafe");
    const risky = defaultDetectionConfig.activity.riskyLoginScore;
    expect(cafe?.login).toBeLessThan(risky);
    expect(cafe?.learned).toBe(true);
    const strict = configure({ activity: { riskyLoginScore: cafe?.login ?? 0 } });
    const again = history(40, emptyPopulation(), strict);
    observeUser(
      again.state,
      population,
      loginObs(again.end + DAY, { sessionId: "cafe", network: "198.18.7.0/24", deviceId: "laptop-1" }),
      strict,
    );
    expect(again.state.sessions.find((s) => s.id === "cafe")?.learned).toBe("deferred");
  });

  it("never learns a session that turned high", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    replay(state, population, [
      loginObs(t, abroad),
      inSession(t + MINUTE, { type: "settings.changed", setting: "email" }),
      inSession(t + 2 * MINUTE, { type: "session.ended" }),
    ]);
    expect(state.profile.values.country.NG).toBeUndefined();
    expect(state.profile.places.some((p) => p.sessionId === "evil")).toBe(false);
  });

  it("never takes travel from a non-public address", () => {
    const population = emptyPopulation();
    const { state, end } = history(10, population);
    const vpn = loginObs(end + MINUTE, { place: PLACES.newYork, nonPublic: true, sessionId: "private" });
    const step = observeUser(state, population, vpn);
    expect(step.state.sessions.at(-1)?.loginReasons ?? []).not.toContain("impossible_travel");
  });
});
