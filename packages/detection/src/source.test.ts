import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config, configure } from "./config.ts";
import { observeSource, type SourceState, type SourceVerdict } from "./source.ts";
import { failureObs, loginObs, SECOND, T0 } from "./testing.ts";

const network = "198.51.100.0/24";
const { spray, stuffing } = config.source;

/** Failures on `accounts` distinct accounts, `unknown` of them on unknown accounts, 30 s apart. */
function attack(accounts: number, unknown = 0, state?: SourceState) {
  let source = state;
  const verdicts: SourceVerdict[] = [];
  for (let i = 0; i < accounts; i++) {
    const obs =
      i < unknown
        ? failureObs(T0 + i * 30 * SECOND, { reason: "unknown_account", accountHint: `x${i}` })
        : failureObs(T0 + i * 30 * SECOND, { userId: `u${i}` });
    const step = observeSource(source, obs, config);
    source = step.state;
    verdicts.push(...step.verdicts);
  }
  return { state: source as SourceState, verdicts, end: T0 + accounts * 30 * SECOND };
}

describe("password spray", () => {
  it("says nothing just under the distinct-account threshold", () => {
    expect(attack(spray.accounts - 1).verdicts).toEqual([]);
  });

  it("tells every targeted account once when the source crosses the threshold", () => {
    const { verdicts } = attack(spray.accounts);
    expect(verdicts).toHaveLength(spray.accounts);
    expect(new Set(verdicts.map((v) => v.userId)).size).toBe(spray.accounts);
    expect(verdicts[0]).toMatchObject({
      code: "password_spray",
      network,
      details: { accounts: spray.accounts, success: false },
    });
  });

  it("tells each further account, and a success always", () => {
    const { state, end } = attack(spray.accounts);
    const more = observeSource(state, failureObs(end, { userId: "late" }), config).verdicts;
    expect(more.map((v) => v.userId)).toEqual(["late"]);
    const again = observeSource(state, failureObs(end + SECOND, { userId: "late" }), config).verdicts;
    expect(again).toEqual([]);
    const win = observeSource(state, loginObs(end + 2 * SECOND, { userId: "u3", network }), config).verdicts;
    expect(win).toMatchObject([{ userId: "u3", code: "password_spray", details: { success: true } }]);
  });

  it("needs the failure ratio: a busy shared network with mostly successes is not a spray", () => {
    let source: SourceState | undefined;
    const verdicts: SourceVerdict[] = [];
    for (let i = 0; i < 100; i++) {
      const at = T0 + i * 10 * SECOND;
      const obs =
        i % 10 === 0 ? failureObs(at, { userId: `u${i}` }) : loginObs(at, { userId: `u${i}`, network });
      const step = observeSource(source, obs, config);
      source = step.state;
      verdicts.push(...step.verdicts);
    }
    expect(verdicts).toEqual([]);
  });

  it("tells a success that came before the source turned hot", () => {
    let { state } = attack(3);
    state = observeSource(state, loginObs(T0 + 100 * SECOND, { userId: "victim", network }), config).state;
    const { verdicts } = attack(spray.accounts, 0, state);
    expect(verdicts.find((v) => v.userId === "victim")).toMatchObject({ details: { success: true } });
  });
});

describe("credential stuffing", () => {
  it("is not stuffing just under the unknown-account share, and is at it", () => {
    const noSpray = configure({ source: { spray: { accounts: 10_000 } } });
    const n = stuffing.accounts * 4;
    const share = Math.ceil(n * stuffing.unknownShare);
    // Unknown accounts last, so that the share reaches its final value on the last attempt.
    const run = (unknown: number) => {
      let source: SourceState | undefined;
      const verdicts: SourceVerdict[] = [];
      for (let i = 0; i < n; i++) {
        const at = T0 + i * SECOND;
        const obs =
          i >= n - unknown
            ? failureObs(at, { reason: "unknown_account", accountHint: `x${i}` })
            : failureObs(at, { userId: `u${i}` });
        const step = observeSource(source, obs, noSpray);
        source = step.state;
        verdicts.push(...step.verdicts);
      }
      return verdicts;
    };
    expect(run(share - 1)).toEqual([]);
    expect(run(share)[0]?.code).toBe("credential_stuffing");
  });

  it("needs enough distinct accounts", () => {
    expect(attack(stuffing.accounts - 1, stuffing.accounts - 1).verdicts).toEqual([]);
    const hot = attack(stuffing.accounts, stuffing.accounts - 1).verdicts;
    expect(hot).toMatchObject([{ code: "credential_stuffing" }]);
  });
});

describe("observeSource", () => {
  it("ignores events without a network and non-login events", () => {
    const obs = failureObs(T0, { network: null });
    expect(observeSource(undefined, obs, config).state.attempts).toEqual([]);
  });

  it("forgets attempts older than the window", () => {
    const { state, end } = attack(spray.accounts - 1);
    const later = observeSource(state, failureObs(end + config.source.windowMs, { userId: "new" }), config);
    expect(later.verdicts).toEqual([]);
    expect(later.state.distinct).toBeLessThan(spray.accounts);
  });
});
