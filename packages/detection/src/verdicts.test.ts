import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config } from "./config.ts";
import { emptyPopulation } from "./population.ts";
import type { SourceVerdict } from "./source.ts";
import { DAY, HOUR, history, loginObs, MINUTE, sessionObs } from "./testing.ts";
import { observeUser } from "./user.ts";
import { applySourceVerdict } from "./verdicts.ts";

const network = "198.51.100.0/24";
const verdict = (at: number, code: SourceVerdict["code"] = "password_spray"): SourceVerdict => ({
  userId: "u1",
  code,
  network,
  at,
  details: {
    accounts: 180,
    attempts: 190,
    failureRatio: 0.97,
    unknownShare: 0.04,
    accountAttempts: 1,
    windowStart: at - HOUR,
    success: false,
  },
});

describe("applySourceVerdict", () => {
  it("escalates a session that already succeeded from the source (the verdict arrived after it)", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const login = observeUser(
      state,
      population,
      loginObs(t, { sessionId: "sprayed", network, deviceId: "laptop-1" }),
    );
    expect(login.flags).toEqual([]);
    const step = applySourceVerdict(state, verdict(t + 300));
    const escalated = step.flags.filter((flag) => flag.sessionId !== null);
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({ sessionId: "sprayed", severity: "high", created: true });
    expect(escalated[0]?.reasons[0]?.message).toBe(
      "Login from a network that tried passwords on 180 accounts within an hour (97% of them never got in): password spray",
    );
  });

  it("counts a success from the account's own network and device as likely the owner behind a shared address", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const home = "192.0.2.0/24"; // the history's network
    observeUser(state, population, loginObs(t, { sessionId: "own", network: home, deviceId: "laptop-1" }));
    const step = applySourceVerdict(state, { ...verdict(t + 300), network: home });
    // Below the low cut-off and below a risky login: no session flag, and later changes do not escalate.
    expect(step.flags.filter((flag) => flag.sessionId !== null)).toEqual([]);
    const session = state.sessions.find((s) => s.id === "own");
    expect(session?.flag.reasons[0]?.message).toContain("likely the owner behind a shared address");
    expect(session?.login).toBeLessThan(config.activity.riskyLoginScore);
  });

  it("matches a verdict on an autonomous system to sessions and logins through any of its networks", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const cloud = { number: 64500, org: "Example Cloud" };
    const byAsn = (at: number): SourceVerdict => ({
      ...verdict(at),
      network: "AS64500",
      details: { ...verdict(at).details, scope: "asn", org: "Example Cloud" },
    });
    observeUser(
      state,
      population,
      loginObs(t, { sessionId: "a", network: "198.51.7.0/24", asn: cloud, deviceId: "laptop-1" }),
    );
    const step = applySourceVerdict(state, byAsn(t + 300));
    // Weaker than its very network: the provider's customers log in through it too.
    expect(step.flags[0]).toMatchObject({ sessionId: "a", severity: "medium" });
    const kept = state.sessions.find((session) => session.id === "a")?.flag.reasons;
    expect(kept?.find((r) => r.code === "password_spray")?.points).toBe(config.source.asnSuccessPoints);
    expect(step.flags[0]?.reasons[0]?.message).toBe(
      "Login from an autonomous system (AS64500, Example Cloud) whose networks tried passwords on 180 accounts within an hour (97% of them never got in): password spray",
    );
    const next = loginObs(t + HOUR, {
      sessionId: "b",
      network: "198.51.9.0/24",
      asn: cloud,
      deviceId: "laptop-1",
    });
    expect(observeUser(state, population, next).flags[0]?.reasons.map((r) => r.code)).toContain(
      "password_spray",
    );
  });

  it("does not reach back further than the look-back", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    observeUser(state, population, loginObs(t, { sessionId: "old", network, deviceId: "laptop-1" }));
    const step = applySourceVerdict(state, verdict(t + config.source.lookbackMs + 1));
    expect(step.flags[0]?.sessionId).toBeNull();
  });

  it("raises a low sessionless flag for a targeted account, once per attack, and scores its next success", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const first = applySourceVerdict(state, verdict(t, "credential_stuffing")).flags[0];
    expect(first).toMatchObject({ sessionId: null, severity: "low", created: true, eventCount: 1 });
    expect(first?.reasons[0]?.code).toBe("credential_stuffing");
    const again = applySourceVerdict(state, verdict(t + MINUTE, "credential_stuffing")).flags[0];
    expect(again).toMatchObject({ id: first?.id, created: false });
    const success = observeUser(
      state,
      population,
      loginObs(t + HOUR, { sessionId: "in", network, deviceId: "laptop-1" }),
    );
    expect(success.flags[0]).toMatchObject({ sessionId: "in", severity: "high" });
    expect(success.flags[0]?.reasons[0]?.code).toBe("credential_stuffing");
  });

  it("waits for a success it has not seen yet instead of calling the account merely targeted", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const ahead = verdict(t);
    ahead.details = { ...ahead.details, success: true };
    expect(applySourceVerdict(state, ahead).flags).toEqual([]);
    const success = observeUser(
      state,
      population,
      loginObs(t + 200, { sessionId: "in", network, deviceId: "laptop-1" }),
    );
    expect(success.flags[0]).toMatchObject({ sessionId: "in", severity: "high" });
  });

  it("forgets a verdict after its time to live", () => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    applySourceVerdict(state, verdict(t));
    const late = loginObs(t + config.source.verdictTtlMs + 1, {
      sessionId: "in",
      network,
      deviceId: "laptop-1",
    });
    expect(observeUser(state, population, late).flags).toEqual([]);
  });
});

describe("verdicts about an account as a target, in any order", () => {
  // Two stuffing episodes days apart, each seen by its network and by its autonomous system (their
  // verdicts reach the account from different partitions, in any order), and the account's own
  // logins from home around them.
  const T = Date.UTC(2026, 10, 2, 9, 0, 0);
  const about = (at: number, source: string, accounts: number, scope: "network" | "asn"): SourceVerdict => ({
    userId: "u1",
    code: "credential_stuffing",
    network: source,
    at,
    details: {
      accounts,
      failureRatio: 1,
      unknownShare: 0.6,
      windowStart: at - 20 * MINUTE,
      success: false,
      scope,
    },
  });
  const verdicts = [
    about(T, "203.0.113.0/24", 26, "network"),
    about(T, "AS64500", 31, "asn"),
    about(T + 5 * MINUTE, "203.0.113.0/24", 28, "network"),
    about(T + 3 * DAY, "198.51.100.0/24", 45, "network"),
    about(T + 3 * DAY, "AS64501", 45, "asn"),
  ];
  // The owner at home, and the attacker getting in from the stuffing network before and after its
  // verdict, all while the account still holds those sessions (a verdict that comes after the account
  // has forgotten a session, or learned from it, cannot undo that: docs/guarantees.md, "Known gaps").
  const logins = [T - DAY, T - 30 * MINUTE, T + 10 * MINUTE, T + 40 * MINUTE].map((at, i) =>
    i % 2 === 1
      ? loginObs(at, { sessionId: `stuffed${i}`, network: "203.0.113.0/24", deviceId: `unknown-${i}` })
      : loginObs(at, { sessionId: `home${i}`, deviceId: "laptop-1" }),
  );

  /** The account's final state and each flag's last version, after the messages in `order`. */
  function run(order: number[]) {
    const population = emptyPopulation();
    let state: ReturnType<typeof applySourceVerdict>["state"] | undefined;
    const flags = new Map<string, unknown>();
    for (const index of order) {
      const step =
        index < verdicts.length
          ? applySourceVerdict(state, verdicts[index] as SourceVerdict)
          : observeUser(state, population, logins[index - verdicts.length] as ReturnType<typeof loginObs>);
      state = step.state;
      for (const flag of step.flags) flags.set(flag.id, { ...flag, created: undefined });
    }
    const user = JSON.parse(JSON.stringify(state));
    // What the verdicts decide; what the profile learned from a session before a verdict about it
    // arrived is not taken back (docs/guarantees.md, "Known gaps").
    const verdictState = {
      targeted: user.targeted,
      targetFlags: user.targetFlags,
      sessions: user.sessions.map(
        (s: { id: string; login: number; loginReasons: string[]; flag: unknown }) => ({
          id: s.id,
          login: s.login,
          loginReasons: s.loginReasons,
          flag: s.flag,
        }),
      ),
    };
    return { state: verdictState, flags: Object.fromEntries([...flags].sort()) };
  }

  it("ends with the same flags and verdict state: one flag per episode, telling of its strongest evidence", () => {
    const all = [...verdicts.keys(), ...logins.map((_, i) => verdicts.length + i)];
    // The account's own events keep their order; the verdicts go anywhere among them.
    const reference = run(all);
    type Flag = { sessionId: string | null; reasons: { code: string; message: string }[] };
    const flags = Object.values(reference.flags) as Flag[];
    // The attacker's sessions carry the verdict, whichever came first.
    expect(
      flags.filter((f) => f.sessionId?.startsWith("stuffed")).map((f) => f.reasons.map((r) => r.code)),
    ).toEqual([
      expect.arrayContaining(["credential_stuffing"]),
      expect.arrayContaining(["credential_stuffing"]),
    ]);
    expect(flags.filter((f) => f.sessionId === null).map((f) => f.reasons[0]?.message)).toEqual([
      "This account is one of 28 targeted by credential stuffing from one network within an hour; no login from it has succeeded",
      "This account is one of 45 targeted by credential stuffing from one network within an hour; no login from it has succeeded",
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: verdicts.length, maxLength: verdicts.length }),
        (places) => {
          const order = logins.map((_, i) => verdicts.length + i);
          for (const [v, place] of places.entries()) order.splice(place % (order.length + 1), 0, v);
          expect(run(order)).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("a takeover right after a stuffed login, whichever comes first", () => {
  // The usual case in the service: the verdict comes a bucket and the grace after the login, so the
  // attacker's changes in that session are often already scored when it arrives.
  const stuffing = "203.0.113.0/24";
  const run = (verdictFirst: boolean) => {
    const population = emptyPopulation();
    const { state, end } = history(20, population);
    const t = end + DAY;
    const about: SourceVerdict = {
      userId: "u1",
      code: "credential_stuffing",
      network: stuffing,
      at: t + 5 * MINUTE,
      details: { accounts: 60, failureRatio: 0.9, unknownShare: 0.6, windowStart: t - HOUR, success: true },
    };
    const flags = new Map<string, { severity: string | null; reasons: { code: string }[] }>();
    const apply = (step: ReturnType<typeof observeUser>) => {
      for (const flag of step.flags) flags.set(flag.id, flag);
    };
    if (verdictFirst) apply(applySourceVerdict(state, about));
    apply(
      observeUser(state, population, loginObs(t, { sessionId: "in", network: stuffing, deviceId: "new-1" })),
    );
    apply(
      observeUser(
        state,
        population,
        sessionObs(t + MINUTE, "in", { type: "settings.changed", setting: "email" }),
      ),
    );
    if (!verdictFirst) apply(applySourceVerdict(state, about));
    const session = [...flags.values()].find((flag) => "sessionId" in flag && flag.sessionId === "in");
    const memory = JSON.parse(JSON.stringify(state.memory ?? null));
    return { session, memory };
  };

  it("escalates the change in the session and remembers its risk as when the verdict came first", () => {
    const first = run(true);
    expect(first.session?.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(["credential_stuffing", "risky_session_activity"]),
    );
    expect(run(false)).toEqual(first);
  });
});
