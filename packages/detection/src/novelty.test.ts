import { describe, expect, it } from "vitest";
import { configure, defaultDetectionConfig } from "./config.ts";
import { emptyPopulation } from "./population.ts";
import { DAY, HOUR, history, loginObs, MINUTE, PLACES, sessionObs, T0, UA } from "./testing.ts";
import { observeUser } from "./user.ts";
import type { UserState } from "./userState.ts";

const abroad = {
  place: PLACES.lagos,
  network: "41.58.1.0/24",
  userAgent: UA.firefoxLinux,
  sessionId: "abroad",
};

describe("novelty", () => {
  it("never flags a first-ever login, wherever and on whatever it comes from", () => {
    const step = observeUser(undefined, emptyPopulation(), loginObs(T0, abroad));
    expect(step.flags).toEqual([]);
    expect(step.state.profile.logins).toBe(1);
  });

  it("flags a new country and a new device on a settled account, and says why in one sentence each", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const [flag] = observeUser(state, population, loginObs(end + DAY, abroad)).flags;
    expect(flag?.reasons.map((r) => r.code)).toEqual(["new_country", "new_device"]);
    expect(flag?.reasons[0]?.message).toBe(
      "Login from Lagos, Nigeria; this account has only been used from Germany (40 logins over 30 days)",
    );
    expect(flag?.reasons[1]?.message).toBe(
      "Login from Firefox on Linux, a device this account has not used before (usually Chrome on Windows; 40 logins over 30 days)",
    );
    expect(flag?.location).toEqual({ country: "NG", region: "LA", city: "Lagos" });
    expect(flag?.severity).toBe("medium");
  });

  it("does not flag the usual place and device", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    expect(
      observeUser(state, population, loginObs(end + DAY, { sessionId: "usual", deviceId: "laptop-1" })).flags,
    ).toEqual([]);
  });

  it("grows its confidence with the logins seen (learning period)", () => {
    const score = (logins: number) => {
      const population = emptyPopulation();
      const { state, end } = history(logins, population);
      return observeUser(state, population, loginObs(end + DAY, abroad)).flags[0]?.score ?? 0;
    };
    const learning = defaultDetectionConfig.novelty.learningLogins;
    expect(score(1)).toBeLessThan(score(learning));
    expect(score(learning)).toBeLessThan(score(40));
  });

  it("is not surprised by a new network of a user who hops networks all the time", () => {
    const population = emptyPopulation();
    let state: UserState | undefined;
    let at = T0;
    for (let i = 0; i < 30; i++) {
      at = T0 + i * 12 * HOUR;
      state = observeUser(
        state,
        population,
        loginObs(at, { network: `10.0.${i}.0/24`, sessionId: `m${i}` }),
      ).state;
    }
    const step = observeUser(
      state,
      population,
      loginObs(at + DAY, { network: "10.1.99.0/24", sessionId: "next" }),
    );
    expect(step.flags).toEqual([]);
  });

  it("flags a new network of a user who always used one only with other news: alone it is a café's Wi-Fi", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const json = JSON.stringify(state);
    const alone = observeUser(
      JSON.parse(json),
      population,
      loginObs(end + DAY, { network: "10.1.99.0/24", sessionId: "n" }),
    );
    expect(alone.flags).toEqual([]);
    const withDevice = loginObs(end + DAY, {
      network: "10.1.99.0/24",
      sessionId: "n",
      userAgent: UA.firefoxLinux,
    });
    const step = observeUser(JSON.parse(json), population, withDevice);
    expect(step.flags[0]?.reasons.map((r) => r.code)).toEqual(["new_device", "new_network"]);
    expect(step.flags[0]?.reasons[1]?.message).toBe(
      "Login from a network this account has not used before (1 network known from 40 logins over 30 days)",
    );
  });

  it("names a new device of a known kind by its kind", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    observeUser(state, population, loginObs(end + DAY, { sessionId: "other", deviceId: "laptop-2" }));
    const reason = state.sessions.at(-1)?.flag.reasons[0];
    expect(reason?.code).toBe("new_device");
    expect(reason?.message).toBe(
      "Login from a Chrome on Windows device this account has not used before (usually Chrome on Windows; 40 logins over 30 days)",
    );
  });

  it("gives a new place on a new device its floor even early in the history, but not a new place alone", () => {
    const population = emptyPopulation();
    const first = observeUser(
      undefined,
      population,
      loginObs(T0, { sessionId: "first", deviceId: "laptop-1" }),
    );
    const json = JSON.stringify(first.state);
    const score = (options: Parameters<typeof loginObs>[1]) =>
      observeUser(JSON.parse(json), population, loginObs(T0 + DAY, options)).state.sessions.at(-1)?.login;
    const floor = defaultDetectionConfig.novelty.newPlaceAndDevicePoints;
    expect(score({ sessionId: "s", place: PLACES.munich, userAgent: UA.firefoxLinux })).toBe(floor);
    expect(score({ sessionId: "s", place: PLACES.munich, deviceId: "laptop-1" })).toBeLessThan(floor);
    expect(score({ sessionId: "s", network: "10.9.9.0/24", userAgent: UA.firefoxLinux })).toBeLessThan(floor);
  });

  it("raises a flag exactly at the low cut-off, not one point under it", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const json = JSON.stringify(state);
    const at = end + DAY;
    const score =
      observeUser(JSON.parse(json), structuredClone(population), loginObs(at, abroad)).flags[0]?.score ?? 0;
    const low = (cut: number) => configure({ severity: { low: cut } });
    const at_ = observeUser(JSON.parse(json), structuredClone(population), loginObs(at, abroad), low(score));
    const over = observeUser(
      JSON.parse(json),
      structuredClone(population),
      loginObs(at, abroad),
      low(score + 1),
    );
    expect(at_.flags).toHaveLength(1);
    expect(over.flags).toEqual([]);
  });

  it("forgets old places with time: decay", () => {
    const population = emptyPopulation();
    const { state } = history(10, population);
    const later = T0 + 400 * DAY;
    const step = observeUser(state, population, loginObs(later, { sessionId: "back" }));
    observeUser(step.state, population, sessionObs(later + MINUTE, "back", { type: "session.ended" }));
    expect(step.state.profile.values.country.DE?.n).toBeLessThan(2);
  });
});
