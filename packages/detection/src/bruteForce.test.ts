import { describe, expect, it } from "vitest";
import { bruteForceFailure, bruteForceSuccess, emptyFailures } from "./bruteForce.ts";
import { defaultDetectionConfig as config } from "./config.ts";
import type { FlagUpdate } from "./flag.ts";
import { failureObs, MINUTE, T0 } from "./testing.ts";

const { failures: threshold, failuresBeforeSuccess, windowMs } = config.bruteForce;
const network = "198.51.100.0/24"; // failureObs's default source

function fail(times: number, gap = MINUTE / 2) {
  const window = emptyFailures();
  let last: FlagUpdate | null = null;
  for (let i = 0; i < times; i++)
    last = bruteForceFailure(window, "u1", failureObs(T0 + i * gap), config) ?? last;
  return { window, last, end: T0 + (times - 1) * gap };
}

describe("brute force without success", () => {
  it("raises no flag just under the threshold", () => {
    expect(fail(threshold - 1).last).toBeNull();
  });

  it("raises one sessionless flag at the threshold, and updates it with each further failure", () => {
    const { last } = fail(threshold);
    expect(last).toMatchObject({ sessionId: null, created: true, eventCount: threshold, severity: "medium" });
    expect(last?.reasons[0]?.code).toBe("brute_force");
    expect(last?.reasons[0]?.message).toBe(
      `${threshold} failed logins on this account in 5 min, none successful yet`,
    );
    const more = fail(threshold + 1).last;
    expect(more).toMatchObject({ id: last?.id, created: false, eventCount: threshold + 1 });
  });

  it("counts only failures within the window", () => {
    expect(fail(threshold, windowMs / (threshold - 1) + 1).last).toBeNull();
    expect(fail(threshold, windowMs / (threshold - 1)).last?.reasons[0]?.code).toBe("brute_force");
  });
});

describe("brute force then success", () => {
  it("is quiet just under the threshold of failures before the success", () => {
    const { window, end } = fail(failuresBeforeSuccess - 1);
    expect(bruteForceSuccess(window, end + MINUTE, network, config)).toBeNull();
  });

  it("makes the success suspicious at the threshold, and ends the burst", () => {
    const { window, end } = fail(failuresBeforeSuccess);
    const reason = bruteForceSuccess(window, end + MINUTE, network, config);
    expect(reason).toMatchObject({ code: "brute_force", points: config.bruteForce.successPoints });
    expect(reason?.message).toBe(`Login succeeded after ${failuresBeforeSuccess} failed attempts in 4 min`);
    expect(bruteForceSuccess(window, end + 2 * MINUTE, network, config)).toBeNull();
  });

  it("counts a success after many failures for more: just under, and at, the second threshold", () => {
    const many = config.bruteForce.manyFailuresBeforeSuccess;
    const under = fail(many - 1);
    expect(bruteForceSuccess(under.window, under.end + MINUTE, network, config)?.points).toBe(
      config.bruteForce.successPoints,
    );
    const at = fail(many);
    expect(bruteForceSuccess(at.window, at.end + MINUTE, network, config)?.points).toBe(
      config.bruteForce.manySuccessPoints,
    );
  });

  it("does not blame the owner's success from another network during an attack, nor end the attack", () => {
    const { window, end } = fail(failuresBeforeSuccess);
    expect(bruteForceSuccess(window, end + MINUTE, "192.0.2.0/24", config)).toBeNull();
    expect(bruteForceSuccess(window, end + 2 * MINUTE, network, config)?.code).toBe("brute_force");
  });
});
