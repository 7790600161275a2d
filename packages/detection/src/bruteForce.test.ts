import { describe, expect, it } from "vitest";
import { bruteForceFailure, bruteForceSuccess, type FailureWindow } from "./bruteForce.ts";
import { defaultDetectionConfig as config } from "./config.ts";
import type { FlagUpdate } from "./flag.ts";
import { emptyPopulation } from "./population.ts";
import { assess, loginKeys } from "./profile.ts";
import { DAY, failureObs, HOUR, history, loginObs, MINUTE, PLACES, sessionObs, T0, UA } from "./testing.ts";
import { observeUser } from "./user.ts";
import type { UserState } from "./userState.ts";

const {
  failures: threshold,
  failuresBeforeSuccess,
  manyFailuresBeforeSuccess,
  dayFailures,
  dayFailuresBeforeSuccess,
  windowMs,
} = config.bruteForce;

/** A settled account: logins from Berlin (192.0.2.0/24) on laptop-1 with Chrome on Windows. */
function settled(): { user: UserState; end: number } {
  const { state, end } = history(8, emptyPopulation(), config);
  return { user: state, end: end + HOUR };
}

/** The owner at home on the usual laptop. */
const home = {
  place: PLACES.berlin,
  network: "192.0.2.0/24",
  userAgent: UA.chromeWindows,
  deviceId: "laptop-1",
};

/** `times` failures from Lagos, `gap` apart, each from another /24 unless `network` is given. */
function fail(user: UserState, start: number, times: number, gap = MINUTE / 2, network?: string) {
  const window = user.failures;
  let last: FlagUpdate | null = null;
  for (let i = 0; i < times; i++) {
    const obs = failureObs(start + i * gap, { network: network ?? `198.51.${i % 250}.0/24` });
    last = bruteForceFailure(window, "u1", obs, user.profile, config) ?? last;
  }
  return { window, last, end: start + (times - 1) * gap };
}

function successFrom(user: UserState, window: FailureWindow, at: number, where = {}) {
  const obs = loginObs(at, { place: PLACES.lagos, network: "203.0.113.0/24", ...where });
  return bruteForceSuccess(window, obs, user.profile, assess(user.profile, loginKeys(obs)), config);
}

describe("brute force without success", () => {
  it("raises no flag just under the threshold", () => {
    const { user, end } = settled();
    expect(fail(user, end, threshold - 1).last).toBeNull();
  });

  it("raises one sessionless flag at the threshold, and updates it with each further failure", () => {
    const { user, end } = settled();
    const { last } = fail(user, end, threshold);
    expect(last).toMatchObject({ sessionId: null, created: true, eventCount: threshold, severity: "medium" });
    expect(last?.reasons[0]?.code).toBe("brute_force");
    expect(last?.reasons[0]?.message).toBe(
      `${threshold} failed logins on this account in 5 min, none successful yet`,
    );
    const again = settled();
    const more = fail(again.user, again.end, threshold + 1).last;
    expect(more).toMatchObject({ id: last?.id, created: false, eventCount: threshold + 1 });
  });

  it("counts only failures within the hour for a burst", () => {
    const a = settled();
    expect(fail(a.user, a.end, threshold, windowMs / (threshold - 1) + 1).last).toBeNull();
    const b = settled();
    expect(fail(b.user, b.end, threshold, windowMs / (threshold - 1)).last?.reasons[0]?.code).toBe(
      "brute_force",
    );
  });

  it("flags a slow campaign over the day: just under, and at, the daily count", () => {
    const gap = 40 * MINUTE; // 1.5 an hour, never a burst
    const a = settled();
    expect(fail(a.user, a.end, dayFailures - 1, gap).last).toBeNull();
    const b = settled();
    const last = fail(b.user, b.end, dayFailures, gap).last;
    expect(last?.severity).toBe("medium");
    expect(last?.reasons[0]?.message).toMatch(
      /^30 failed logins on this account in 19 h \d+ min from networks and devices it does not use, none successful yet$/,
    );
  });

  it("never counts failures from the account's own network and device, whatever their number", () => {
    const { user, end } = settled();
    for (let i = 0; i < 40; i++) {
      const typo = failureObs(end + i * MINUTE, home);
      expect(bruteForceFailure(user.failures, "u1", typo, user.profile, config)).toBeNull();
    }
    expect(user.failures.recent).toEqual([]);
  });
});

describe("the owner's context", () => {
  it("counts failures from the account's own /24 on a new device as typos, and its success as the owner's", () => {
    const { user, end } = settled();
    const newLaptop = { ...home, userAgent: UA.firefoxLinux, deviceId: "laptop-2" };
    for (let i = 0; i < 8; i++) {
      const typo = failureObs(end + i * MINUTE, newLaptop);
      expect(bruteForceFailure(user.failures, "u1", typo, user.profile, config)).toBeNull();
    }
    expect(successFrom(user, user.failures, end + 10 * MINUTE, newLaptop)).toBeNull();
  });

  it("counts failures from the account's carrier (its AS, its country) only with the account's device", () => {
    const carrier = { number: 64501, org: "Example Mobile" };
    const { state } = history(8, emptyPopulation(), config);
    state.profile.asns = { 64501: { n: 5, at: T0 } };
    const elsewhere = { place: PLACES.berlin, network: "198.18.7.0/24", asn: carrier };
    const own = failureObs(T0 + DAY, { ...elsewhere, userAgent: UA.chromeWindows, deviceId: "laptop-1" });
    expect(bruteForceFailure(state.failures, "u1", own, state.profile, config)).toBeNull();
    expect(state.failures.recent).toHaveLength(0);
    const stranger = failureObs(T0 + DAY, { ...elsewhere, userAgent: UA.firefoxLinux, deviceId: "other" });
    bruteForceFailure(state.failures, "u1", stranger, state.profile, config);
    expect(state.failures.recent).toHaveLength(1);
  });

  it("does not take the account's browser without its device id for its device, on its carrier", () => {
    const carrier = { number: 64501, org: "Example Mobile" };
    const { state } = history(8, emptyPopulation(), config);
    state.profile.asns = { 64501: { n: 5, at: T0 } };
    // A proxy on the owner's own ISP, the owner's browser, no device id: an attacker who read the code.
    const proxy = {
      place: PLACES.berlin,
      network: "198.18.7.0/24",
      asn: carrier,
      userAgent: UA.chromeWindows,
    };
    bruteForceFailure(state.failures, "u1", failureObs(T0 + DAY, proxy), state.profile, config);
    expect(state.failures.recent).toHaveLength(1);
  });

  it("counts failures on the account's own device id from its own country, on a network it never used, as typos", () => {
    const { user, end } = settled();
    const phoneElsewhere = { ...home, network: "198.18.9.0/24", place: PLACES.hamburg };
    const typo = failureObs(end, phoneElsewhere);
    expect(bruteForceFailure(user.failures, "u1", typo, user.profile, config)).toBeNull();
    expect(user.failures.recent).toHaveLength(0);
    const abroad = failureObs(end + MINUTE, { ...phoneElsewhere, place: PLACES.lagos });
    bruteForceFailure(user.failures, "u1", abroad, user.profile, config);
    expect(user.failures.recent).toHaveLength(1);
  });
});

describe("a failed second factor", () => {
  it("from a network the account does not use is high at once: the password is known", () => {
    const { user, end } = settled();
    const obs = failureObs(end, { reason: "mfa_failed" });
    const update = bruteForceFailure(user.failures, "u1", obs, user.profile, config);
    expect(update?.severity).toBe("high");
    expect(update?.reasons[0]).toMatchObject({
      code: "mfa_failed",
      message:
        "The password was accepted but the second factor failed, from a network and device this account does not use in Lagos, Nigeria: the password is likely known to someone else",
      details: { network: "198.51.100.0/24", asn: null },
    });
  });

  it("from the account's own device abroad (the owner travelling) is not", () => {
    const { user, end } = settled();
    const abroad = failureObs(end, {
      ...home,
      place: PLACES.lagos,
      network: "198.51.100.0/24",
      reason: "mfa_failed",
    });
    expect(bruteForceFailure(user.failures, "u1", abroad, user.profile, config)).toBeNull();
  });

  it("from the account's own network (a new phone at home) or own context is not", () => {
    const { user, end } = settled();
    const newPhone = failureObs(end, {
      ...home,
      reason: "mfa_failed",
      userAgent: UA.safariIphone,
      deviceId: "p",
    });
    expect(bruteForceFailure(user.failures, "u1", newPhone, user.profile, config)).toBeNull();
    const typo = failureObs(end + MINUTE, { ...home, reason: "mfa_failed" });
    expect(bruteForceFailure(user.failures, "u1", typo, user.profile, config)).toBeNull();
  });
});

describe("brute force then success from a new context", () => {
  it("is quiet just under the threshold of failures before the success", () => {
    const { user, end } = settled();
    const { window, end: last } = fail(user, end, failuresBeforeSuccess - 1);
    expect(successFrom(user, window, last + MINUTE)).toBeNull();
  });

  it("makes the success suspicious at the threshold, from any networks, and ends the attack's count", () => {
    const { user, end } = settled();
    const { window, end: last } = fail(user, end, failuresBeforeSuccess);
    const reason = successFrom(user, window, last + MINUTE);
    expect(reason).toMatchObject({ code: "brute_force", points: config.bruteForce.successPoints });
    expect(reason?.message).toBe(
      `Login from a new network or device succeeded after ${failuresBeforeSuccess} failed attempts from elsewhere in 4 min`,
    );
    expect(successFrom(user, window, last + 2 * MINUTE)).toBeNull();
  });

  it("counts many failures in an hour for more: just under, and at, the second threshold", () => {
    const a = settled();
    const under = fail(a.user, a.end, manyFailuresBeforeSuccess - 1);
    expect(successFrom(a.user, under.window, under.end + MINUTE)?.points).toBe(
      config.bruteForce.successPoints,
    );
    const b = settled();
    const at = fail(b.user, b.end, manyFailuresBeforeSuccess);
    expect(successFrom(b.user, at.window, at.end + MINUTE)?.points).toBe(config.bruteForce.manySuccessPoints);
  });

  it("counts a slow attack over the day: just under, and at, the daily threshold", () => {
    const gap = 50 * MINUTE; // never 6 in an hour
    const a = settled();
    const under = fail(a.user, a.end, dayFailuresBeforeSuccess - 1, gap);
    expect(successFrom(a.user, under.window, under.end + MINUTE)).toBeNull();
    const b = settled();
    const at = fail(b.user, b.end, dayFailuresBeforeSuccess, gap);
    expect(successFrom(b.user, at.window, at.end + MINUTE)?.points).toBe(config.bruteForce.manySuccessPoints);
  });

  it("does not blame the owner's success at home during an attack, nor end the attack", () => {
    const { user, end } = settled();
    const { window, end: last } = fail(user, end, failuresBeforeSuccess);
    expect(successFrom(user, window, last + MINUTE, home)).toBeNull();
    expect(successFrom(user, window, last + 2 * MINUTE)?.code).toBe("brute_force");
  });

  it("blames a success on a device never seen, even through a network the account knows: a carrier's /24 is shared", () => {
    const { user, end } = settled();
    const { window, end: last } = fail(user, end, failuresBeforeSuccess);
    const stranger = { ...home, userAgent: UA.firefoxLinux, deviceId: "laptop-9" };
    expect(successFrom(user, window, last + MINUTE, stranger)?.code).toBe("brute_force");
  });

  it("keeps its counts through JSON, and reads states written before the day window existed", () => {
    const { user, end } = settled();
    const { window, end: last } = fail(user, end, failuresBeforeSuccess);
    const copy = JSON.parse(JSON.stringify(window)) as FailureWindow;
    expect(successFrom(user, copy, last + MINUTE)).toEqual(successFrom(user, window, last + MINUTE));
    const old = { recent: [[end, "198.51.1.0/24"]], flag: null } as FailureWindow;
    expect(bruteForceFailure(old, "u1", failureObs(end + MINUTE), user.profile, config)).toBeNull();
    expect(old.hours).toHaveLength(1);
  });
});

describe("stories", () => {
  it("slow brute force: 40 failures over 4 h, each from another foreign network, then a success from another is high", () => {
    const population = emptyPopulation();
    let { state: user, end } = history(8, population, config);
    end += HOUR;
    for (let i = 0; i < 40; i++) {
      const obs = failureObs(end + i * 6 * MINUTE, { network: `198.51.${i}.0/24`, place: PLACES.lagos });
      user = observeUser(user, population, obs, config).state;
    }
    const success = loginObs(end + 4 * HOUR, {
      place: PLACES.lagos,
      network: "203.0.113.0/24",
      sessionId: "x",
    });
    const { flags } = observeUser(user, population, success, config);
    expect(flags[0]?.severity).toMatch(/high|critical/);
    expect(flags[0]?.reasons.find((r) => r.code === "brute_force")?.message).toBe(
      "Login from a new network or device succeeded after 40 failed attempts from elsewhere in 4 h",
    );
  });

  it("8 wrong passwords at home on the usual laptop, a success, then a new password: no flag", () => {
    const population = emptyPopulation();
    let { state: user, end } = history(8, population, config);
    end += HOUR;
    const raised: FlagUpdate[] = [];
    const step = (obs: ReturnType<typeof loginObs>) => {
      const result = observeUser(user, population, obs, config);
      user = result.state;
      raised.push(...result.flags);
    };
    for (let i = 0; i < 8; i++) step(failureObs(end + i * MINUTE, home));
    step(loginObs(end + 9 * MINUTE, { ...home, sessionId: "fix" }));
    step(sessionObs(end + 11 * MINUTE, "fix", { type: "settings.changed", setting: "password" }));
    expect(raised).toEqual([]);
  });
});
