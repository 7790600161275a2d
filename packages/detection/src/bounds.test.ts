// One account under a million events of every kind (an attacker inventing sessions without a login,
// rotating networks and devices, wiping, failing): the state an account keeps stays bounded.
import type { AccountEventInput } from "@vigil/events";
import type { Place } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig } from "./config.ts";
import { emptyPopulation } from "./population.ts";
import { event, MINUTE, observed, PLACES, SECOND, T0, UA } from "./testing.ts";
import { observeUser } from "./user.ts";
import type { UserState } from "./userState.ts";

const EVENTS = 1_000_000;
const places: Place[] = Object.values(PLACES);
const agents = Object.values(UA);

/** A small deterministic generator (no randomness in tests that must replay). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe("bounded account state", () => {
  // A million events take tens of seconds of CPU: the allowance is for a busy machine, not a measure.
  it(`keeps one account's JSON size flat over ${EVENTS.toLocaleString("en-US")} events`, {
    timeout: 600_000,
  }, () => {
    const random = lcg(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const population = emptyPopulation();
    let state: UserState | undefined;
    const sizes: number[] = [];
    let at = T0;
    for (let i = 0; i < EVENTS; i++) {
      at += Math.floor(random() * 20) * SECOND;
      const roll = random();
      const sessionId = `s${Math.floor(random() * 5000)}`;
      const where = {
        place: pick(places),
        network: `10.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.0/24`,
        asn: { number: 64_500 + Math.floor(random() * 50), org: "AS" },
      };
      const common = {
        userId: "u1",
        sessionId,
        ip: "192.0.2.1",
        userAgent: pick(agents),
        deviceId: `d${Math.floor(random() * 400)}`,
      };
      let fields: Partial<AccountEventInput> & { type: AccountEventInput["type"] };
      if (roll < 0.15) fields = { type: "login.succeeded", ...common };
      else if (roll < 0.3) fields = { type: "login.failed", ...common, reason: "bad_password" };
      else if (roll < 0.55)
        fields = {
          type: "content.deleted",
          ...common,
          contentType: pick(["photo", "album", "comment"] as const),
          count: 1 + Math.floor(random() * 5),
        };
      else if (roll < 0.8) fields = { type: "content.modified", ...common, contentType: "photo", count: 1 };
      else if (roll < 0.9)
        fields = {
          type: "settings.changed",
          ...common,
          setting: pick(["email", "password", "mfa", "privacy", "api_token", "username"] as const),
          action: pick(["updated", "added", "disabled"] as const),
        };
      else fields = { type: "session.ended", ...common };
      state = observeUser(state, population, observed(event(at, fields), where)).state;
      if ((i + 1) % 100_000 === 0) sizes.push(JSON.stringify(state).length);
    }
    const half = sizes.length / 2;
    const early = Math.max(...sizes.slice(0, half));
    const late = Math.max(...sizes.slice(half));
    console.log(
      `state JSON bytes per 100k events over ${EVENTS.toLocaleString("en-US")} events of one account: ${sizes.join(", ")} (${Math.round((at - T0) / MINUTE / 60 / 24)} days of event time)`,
    );
    expect(late).toBeLessThan(early * 1.25);
    const final = state as UserState;
    expect(final.sessions.length).toBeLessThanOrEqual(defaultDetectionConfig.session.maxSessions);
    expect(final.memory?.risky.length ?? 0).toBeLessThanOrEqual(defaultDetectionConfig.memory.maxContexts);
    expect(late).toBeLessThan(400_000);
  });
});
