import { describe, expect, it } from "vitest";
import { defaultDetectionConfig } from "./config.ts";
import { applyFeedback } from "./feedback.ts";
import { emptyPopulation } from "./population.ts";
import { DAY, HOUR, history, loginObs, MINUTE, PLACES, sessionObs, UA } from "./testing.ts";
import { observeUser } from "./user.ts";

const trip = { place: PLACES.lagos, network: "41.58.1.0/24", userAgent: UA.firefoxLinux, deviceId: "tablet" };

describe("applyFeedback", () => {
  it("legitimate: the session's place, network and device are trusted, and the next such login is quiet", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    expect(observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" })).flags).toHaveLength(1);
    applyFeedback(state, { verdict: "legitimate", sessionId: "trip", at: t + MINUTE });
    expect(state.profile.values.country.NG?.trusted).toBe(true);
    expect(state.profile.values.deviceId["#tablet"]?.trusted).toBe(true);
    expect(observeUser(state, population, loginObs(t + DAY, { ...trip, sessionId: "again" })).flags).toEqual(
      [],
    );
  });

  it("legitimate: the session's own later changes no longer escalate", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, { verdict: "legitimate", sessionId: "trip", at: t + MINUTE });
    const change = observeUser(
      state,
      population,
      sessionObs(t + 2 * MINUTE, "trip", { type: "settings.changed", setting: "email" }),
    );
    expect(change.flags[0]?.reasons.map((r) => r.code)).not.toContain("risky_session_activity");
  });

  it("compromised: the network and device are never familiar again, and what the login taught is withdrawn", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    const sneaky = {
      network: "203.0.113.0/24",
      deviceId: "thief",
      sessionId: "sneaky",
      place: PLACES.berlin,
    };
    observeUser(state, population, loginObs(t, sneaky));
    observeUser(state, population, sessionObs(t + MINUTE, "sneaky", { type: "session.ended" }));
    // Learned once the quiet session has expired (a later login sweeps it).
    observeUser(state, population, loginObs(t + DAY, { sessionId: "later", deviceId: "laptop-1" }));
    expect(state.profile.values.network["203.0.113.0/24"]?.n).toBeCloseTo(1, 1);
    applyFeedback(state, { verdict: "compromised", sessionId: "sneaky", at: t + DAY });
    expect(state.profile.values.network["203.0.113.0/24"]).toMatchObject({ n: 0, compromised: true });
    expect(state.profile.values.deviceId["#thief"]).toMatchObject({ compromised: true });
    const back = observeUser(state, population, loginObs(t + 2 * DAY, { ...sneaky, sessionId: "back" }));
    expect(back.state.sessions.find((s) => s.id === "back")?.loginReasons).toContain("new_network");
    applyFeedback(state, { verdict: "legitimate", sessionId: "sneaky", at: t + 3 * DAY });
    expect(state.profile.values.network["203.0.113.0/24"]?.trusted).toBeUndefined();
  });

  it("compromised: the mark outlives the bound on remembered networks", () => {
    const population = emptyPopulation();
    const { state, end } = history(5, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { network: "203.0.113.0/24", sessionId: "sneaky" }));
    applyFeedback(state, { verdict: "compromised", sessionId: "sneaky", at: t + 1 });
    const max = defaultDetectionConfig.profile.maxValues.network;
    for (let i = 0; i < max + 5; i++) {
      observeUser(
        state,
        population,
        loginObs(t + (i + 1) * DAY, { network: `10.7.${i}.0/24`, sessionId: `n${i}` }),
      );
    }
    expect(state.profile.values.network["203.0.113.0/24"]?.compromised).toBe(true);
    expect(Object.keys(state.profile.values.network).length).toBeLessThanOrEqual(max + 1);
  });

  it("changes nothing for a session it does not know", () => {
    const population = emptyPopulation();
    const { state } = history(3, population);
    const before = JSON.stringify(state);
    applyFeedback(state, { verdict: "compromised", sessionId: "nope", at: 0 });
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe("trust earned and taken back", () => {
  const owner = (sessionId: string, at: number, verdict: "legitimate" | "compromised" = "legitimate") =>
    ({ verdict, sessionId, at, by: "owner" }) as const;

  it("an owner's 'it was me' trusts the place and kind of device for 90 days, never the network or device id", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, owner("trip", t + MINUTE));
    const values = state.profile.values;
    expect(values.country.NG).toMatchObject({ trusted: true, until: t + MINUTE + 90 * DAY, by: ["trip"] });
    expect(values.family["Firefox on Linux"]?.trusted).toBe(true);
    // Learned as ordinary values: earned by use, not by an answer anyone holding the session could give.
    expect(values.network["41.58.1.0/24"]).toMatchObject({ n: 1 });
    expect(values.network["41.58.1.0/24"]?.trusted).toBeUndefined();
    expect(values.deviceId["#tablet"]?.trusted).toBeUndefined();
    // A change in the session still escalates: the answer is not an analyst's verdict.
    const change = observeUser(
      state,
      population,
      sessionObs(t + 2 * MINUTE, "trip", { type: "settings.changed", setting: "email" }),
    );
    expect(change.flags[0]?.reasons[0]?.code).toBe("risky_session_activity");
  });

  it("the owner's trust expires: a day before the 90 it holds, after them it is gone", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, owner("trip", t));
    const until = t + defaultDetectionConfig.profile.ownerTrustMs;
    observeUser(state, population, loginObs(until - DAY, { sessionId: "a", deviceId: "laptop-1" }));
    expect(state.profile.values.country.NG?.trusted).toBe(true);
    observeUser(state, population, loginObs(until + DAY, { sessionId: "b", deviceId: "laptop-1" }));
    expect(state.profile.values.country.NG?.trusted).toBeUndefined();
  });

  it("a later 'not me' overrides an earlier 'it was me': the grants go, the network and device are marked", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, owner("trip", t + MINUTE));
    applyFeedback(state, owner("trip", t + HOUR, "compromised"));
    const values = state.profile.values;
    expect(values.country.NG?.trusted).toBeUndefined();
    expect(values.country.NG?.n ?? 0).toBeLessThan(1.5);
    expect(values.network["41.58.1.0/24"]).toMatchObject({ n: 0, compromised: true });
    expect(values.deviceId["#tablet"]).toMatchObject({ compromised: true });
    // And "it was me" again cannot undo it.
    applyFeedback(state, owner("trip", t + 2 * HOUR));
    expect(values.country.NG?.trusted).toBeUndefined();
  });

  it("a compromised resolution takes back what the session's answers granted, even once the session is forgotten", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, owner("trip", t + MINUTE));
    state.sessions = state.sessions.filter((s) => s.id !== "trip");
    applyFeedback(state, { verdict: "compromised", sessionId: "trip", at: t + DAY });
    expect(state.profile.values.country.NG?.trusted).toBeUndefined();
    expect(state.profile.values.family["Firefox on Linux"]?.trusted).toBeUndefined();
  });

  it("after a compromised verdict, a new session from the attacker's network escalates its first change", () => {
    const population = emptyPopulation();
    const { state, end } = history(40, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { ...trip, sessionId: "trip" }));
    applyFeedback(state, { verdict: "compromised", sessionId: "trip", at: t + HOUR });
    const at = t + 3 * DAY;
    observeUser(
      state,
      population,
      loginObs(at, { ...trip, sessionId: "again", deviceId: "laptop-1", userAgent: UA.chromeWindows }),
    );
    const change = observeUser(
      state,
      population,
      sessionObs(at + MINUTE, "again", { type: "settings.changed", setting: "email" }),
    );
    expect(change.flags[0]?.severity).toBe("high");
  });
});
