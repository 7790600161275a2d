import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config, configure } from "./config.ts";
import type { Observation } from "./observation.ts";
import {
  closeSource,
  dueAt,
  observeSource,
  type Source,
  type SourceState,
  type SourceVerdict,
  sourceOf,
} from "./source.ts";
import { DAY, failureObs, HOUR, loginObs, MINUTE, SECOND, T0 } from "./testing.ts";

const network = "198.51.100.0/24";
const bySource: Source = { key: network, scope: "network" };
const { spray, stuffing, bucketMs, graceMs, windowMs } = config.source;
const cloud = { number: 64500, org: "Example Cloud" };

/** Feeds the logins in order, then closes every bucket: all the verdicts the stream gives. */
function run(logins: readonly Observation[], options: { state?: SourceState; source?: Source } = {}) {
  const source = options.source ?? bySource;
  let state = options.state;
  const verdicts: SourceVerdict[] = [];
  for (const obs of logins) {
    const step = observeSource(state, obs, config, source);
    state = step.state;
    verdicts.push(...step.verdicts);
  }
  const closed = closeSource(state, Number.MAX_SAFE_INTEGER, source, config);
  verdicts.push(...closed.verdicts);
  return { state: closed.state, verdicts };
}

/** Failures on `accounts` distinct accounts, `unknown` of them on unknown accounts, 30 s apart. */
function attack(accounts: number, unknown = 0, start = T0): Observation[] {
  return Array.from({ length: accounts }, (_, i) =>
    i < unknown
      ? failureObs(start + i * 30 * SECOND, { reason: "unknown_account", accountHint: `x${i}`, asn: cloud })
      : failureObs(start + i * 30 * SECOND, { userId: `u${i}`, asn: cloud }),
  );
}

describe("password spray", () => {
  it("says nothing just under the distinct-account threshold", () => {
    expect(run(attack(spray.accounts - 1)).verdicts).toEqual([]);
  });

  it("tells every targeted account once, when the bucket that crossed the threshold is judged", () => {
    const { verdicts } = run(attack(spray.accounts));
    expect(verdicts).toHaveLength(spray.accounts);
    expect(new Set(verdicts.map((v) => v.userId)).size).toBe(spray.accounts);
    expect(verdicts[0]).toEqual({
      userId: "u0",
      code: "password_spray",
      network,
      at: T0 + 10 * MINUTE, // the end of the bucket the 20th account fell in
      details: {
        accounts: spray.accounts,
        failureRatio: 1,
        unknownShare: 0,
        windowStart: T0,
        success: false,
        scope: "network",
      },
    });
  });

  it("waits for the watermark: nothing before the grace has passed the bucket's end", () => {
    const logins = attack(spray.accounts);
    let state: SourceState | undefined;
    for (const obs of logins) state = observeSource(state, obs, config).state;
    const end = T0 + 10 * MINUTE;
    const before = observeSource(state, failureObs(end + graceMs - SECOND, { userId: "a" }), config);
    expect(before.verdicts).toEqual([]);
    const after = observeSource(before.state, failureObs(end + graceMs, { userId: "b" }), config);
    expect(after.verdicts).toHaveLength(spray.accounts);
  });

  it("tells each further account, and a success always, while the episode lasts", () => {
    const late = T0 + 20 * MINUTE;
    const { verdicts } = run([
      ...attack(spray.accounts),
      failureObs(late, { userId: "late" }),
      failureObs(late + SECOND, { userId: "u3" }),
      loginObs(late + 2 * SECOND, { userId: "u4", network }),
    ]);
    const after = verdicts.slice(spray.accounts);
    expect(after.map((v) => [v.userId, v.details.success])).toEqual([
      ["late", false],
      ["u4", true],
    ]);
  });

  it("needs most accounts to fail: a busy shared network with mostly successes is not a spray", () => {
    const logins = Array.from({ length: 100 }, (_, i) => {
      const at = T0 + i * 10 * SECOND;
      return i % 10 === 0 ? failureObs(at, { userId: `u${i}` }) : loginObs(at, { userId: `u${i}`, network });
    });
    expect(run(logins).verdicts).toEqual([]);
  });

  it("tells a success that came before the source turned hot", () => {
    const victim = loginObs(T0 + 10 * SECOND, { userId: "victim", network });
    const { verdicts } = run([...attack(3), victim, ...attack(spray.accounts, 0, T0 + MINUTE)]);
    expect(verdicts.find((v) => v.userId === "victim")).toMatchObject({ details: { success: true } });
  });
});

describe("credential stuffing", () => {
  it("is not stuffing just under the unknown-account share, and is at it", () => {
    const noSpray = configure({ source: { spray: { accounts: 10_000 } } });
    const n = stuffing.accounts * 4;
    const share = Math.ceil(n * stuffing.unknownShare);
    const stream = (unknown: number) => {
      let state: SourceState | undefined;
      const verdicts: SourceVerdict[] = [];
      for (let i = 0; i < n; i++) {
        const at = T0 + i * SECOND;
        const obs =
          i >= n - unknown
            ? failureObs(at, { reason: "unknown_account", accountHint: `x${i}` })
            : failureObs(at, { userId: `u${i}` });
        const step = observeSource(state, obs, noSpray);
        state = step.state;
        verdicts.push(...step.verdicts);
      }
      return [...verdicts, ...closeSource(state, Number.MAX_SAFE_INTEGER, bySource, noSpray).verdicts];
    };
    expect(stream(share - 1)).toEqual([]);
    expect(stream(share)[0]?.code).toBe("credential_stuffing");
  });

  it("needs enough distinct accounts", () => {
    expect(run(attack(stuffing.accounts - 1, stuffing.accounts - 1)).verdicts).toEqual([]);
    const hot = run(attack(stuffing.accounts, stuffing.accounts - 1)).verdicts;
    expect(hot).toMatchObject([{ code: "credential_stuffing" }]);
  });
});

describe("by autonomous system", () => {
  const asn = sourceOf(failureObs(T0, { asn: cloud }), "asn") as Source;

  it("counts a spray rotating across the /24s of one provider, which no single /24 sees", () => {
    const rotating = attack(spray.accounts).map((obs, i) => ({ ...obs, network: `198.51.${i}.0/24` }));
    expect(run(rotating, { source: asn }).verdicts[0]).toMatchObject({
      network: "AS64500",
      code: "password_spray",
      details: { scope: "asn", org: "Example Cloud", accounts: spray.accounts },
    });
  });

  it("judges a provider against what it usually sends: three times its usual accounts", () => {
    // A day of ordinary traffic: 40 accounts an hour, 32 of them getting in. That is its usual.
    const ordinary: Observation[] = [];
    for (let b = 0; b < 24 * 12; b++) {
      for (let i = 0; i < 10; i++) {
        const account = ((b % 4) * 10 + i) % 40;
        const at = T0 + b * bucketMs + i * SECOND;
        ordinary.push(
          account < 32
            ? loginObs(at, { userId: `q${account}`, network, asn: cloud })
            : failureObs(at, { userId: `q${account}`, asn: cloud }),
        );
      }
    }
    const { state } = run(ordinary, { source: asn });
    expect(state.usual).toBeGreaterThan(39);
    const start = T0 + 2 * DAY;
    const at = (n: number) => run(attack(n, 0, start), { state: structuredClone(state), source: asn });
    const floor = Math.ceil(config.source.asn.usualFactor * state.usual);
    expect(at(floor - 1).verdicts).toEqual([]);
    expect(at(floor).verdicts).toHaveLength(floor);
    // The same spray from one /24 of it is judged on the /24's own, absolute thresholds.
    expect(run(attack(spray.accounts, 0, start)).verdicts).toHaveLength(spray.accounts);
  });

  it("does not learn an attack's shape as usual: windows where most accounts fail teach nothing", () => {
    const ramp = Array.from({ length: 12 }, (_, b) => attack(spray.accounts - 1, 0, T0 + b * HOUR)).flat();
    expect(run(ramp, { source: asn }).state.usual).toBe(0);
  });
});

describe("observeSource", () => {
  it("ignores events without a source and non-login events", () => {
    const obs = failureObs(T0, { network: null });
    expect(observeSource(undefined, obs, config).state.buckets).toEqual([]);
  });

  it("forgets buckets older than the window", () => {
    const { state } = run([...attack(spray.accounts - 1), failureObs(T0 + 3 * HOUR, { userId: "new" })]);
    expect(state.buckets.map((b) => b.start)).toEqual([T0 + 3 * HOUR]);
  });

  it("counts a login delivered twice once", () => {
    const logins = attack(spray.accounts - 1);
    expect(run([...logins, ...logins]).verdicts).toEqual([]);
  });

  it("does not count a login that arrives after its bucket was judged, and says so", () => {
    const logins = attack(spray.accounts - 1);
    const { state } = run(logins);
    const before = JSON.stringify(state);
    const step = observeSource(state, failureObs(T0 + MINUTE, { userId: "straggler" }), config);
    expect(step.verdicts).toEqual([]);
    expect(step.late).toBe(true);
    expect(JSON.stringify(step.state)).toBe(before);
  });

  it("is, after a silence longer than its window, the same as an empty state (what the retention job may delete)", () => {
    const { state } = run(attack(spray.accounts * 2));
    const later = attack(spray.accounts, 0, T0 + DAY);
    expect(run(later, { state }).verdicts).toEqual(run(later).verdicts);
  });

  it("treats a state written by an older version, or none, as an empty one", () => {
    const old = { attempts: [], accounts: {}, distinct: 0 } as unknown as SourceState;
    const logins = attack(spray.accounts);
    expect(run(logins, { state: old }).verdicts).toEqual(run(logins).verdicts);
  });

  it("is due for judging while it attacks or might, and not for an ordinary network", () => {
    let state: SourceState | undefined;
    for (const obs of attack(5)) state = observeSource(state, obs, config).state;
    expect(dueAt(state as SourceState)).toBeNull();
    for (const obs of attack(spray.accounts, 0, T0 + 3 * MINUTE))
      state = observeSource(state, obs, config).state;
    expect(dueAt(state as SourceState)).toBe(T0 + 5 * MINUTE);
  });

  it("always tells an account that got in, however many made-up accounts crowd the sample", () => {
    const flood = Array.from({ length: 3000 }, (_, i) =>
      failureObs(T0 + i * 50, { reason: "unknown_account", accountHint: `made-up-${i}` }),
    );
    const wins = ["victim1", "victim2"].map((userId, i) => loginObs(T0 + 1000 + i, { userId, network }));
    const { verdicts } = run([...flood.slice(0, 1500), ...wins, ...flood.slice(1500)]);
    expect(verdicts.filter((v) => v.details.success === true).map((v) => v.userId)).toEqual([
      "victim1",
      "victim2",
    ]);
    expect(verdicts[0]?.code).toBe("credential_stuffing");
  });

  it("keeps a bounded sample of a busy bucket and estimates how many accounts it saw", () => {
    const logins = Array.from({ length: 20_000 }, (_, i) =>
      failureObs(T0 + Math.floor((i * bucketMs) / 20_000), { userId: `v${i}` }),
    );
    let state: SourceState | undefined;
    for (const obs of logins) state = observeSource(state, obs, config).state;
    const bucket = (state as SourceState).buckets[0];
    expect(bucket?.size).toBeLessThanOrEqual(2 * config.source.sample);
    const closed = closeSource(state, Number.MAX_SAFE_INTEGER, bySource, config);
    expect(closed.verdicts.length).toBe(config.source.sample);
    const estimate = closed.verdicts[0]?.details.accounts as number;
    expect(estimate).toBeGreaterThan(20_000 * 0.8);
    expect(estimate).toBeLessThan(20_000 * 1.2);
  });
});

describe("the same logins give the same verdicts, however they were delivered", () => {
  // Three partitions' worth of logins on one network: a spray with some successes among benign
  // logins. Any delivery in which no login trails a later one by more than the grace (partitions
  // interleaved in any way, batches replayed) must give exactly the in-order verdicts.
  const stream: Observation[] = [];
  for (let i = 0; i < 90; i++) {
    const at = T0 + i * 20 * SECOND;
    if (i % 7 === 0) stream.push(loginObs(at, { userId: `home${i % 3}`, network, asn: cloud }));
    else if (i % 11 === 0) stream.push(loginObs(at, { userId: `u${i % 40}`, network, asn: cloud }));
    else if (i % 5 === 0)
      stream.push(failureObs(at, { reason: "unknown_account", accountHint: `x${i}`, asn: cloud }));
    else stream.push(failureObs(at, { userId: `u${i % 40}`, asn: cloud }));
  }
  for (const scope of ["network", "asn"] as const) {
    it(`by ${scope}`, () => {
      const source = sourceOf(stream[0] as Observation, scope) as Source;
      const expected = run(stream, { source }).verdicts;
      expect(expected.length).toBeGreaterThan(spray.accounts);
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: graceMs }), {
            minLength: stream.length,
            maxLength: stream.length,
          }),
          fc.array(fc.nat(stream.length - 1), { maxLength: 20 }),
          (delays, repeats) => {
            const delivered = stream.map((obs, i) => ({ obs, arrives: obs.at + (delays[i] ?? 0) }));
            for (const i of repeats) {
              const again = stream[i] as Observation;
              delivered.push({ obs: again, arrives: again.at + (delays[(i * 7) % stream.length] ?? 0) });
            }
            delivered.sort((a, b) => a.arrives - b.arrives);
            expect(
              run(
                delivered.map((d) => d.obs),
                { source },
              ).verdicts,
            ).toEqual(expected);
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it("and a JSON round trip of the state between any two logins changes nothing", () => {
    const expected = run(stream).verdicts;
    let state: SourceState | undefined;
    const verdicts: SourceVerdict[] = [];
    for (const obs of stream) {
      const step = observeSource(state, obs, config);
      verdicts.push(...step.verdicts);
      state = JSON.parse(JSON.stringify(step.state)) as SourceState;
    }
    verdicts.push(...closeSource(state, Number.MAX_SAFE_INTEGER, bySource, config).verdicts);
    expect(verdicts).toEqual(expected);
    expect(windowMs).toBe(HOUR);
  });
});
