import { describe, expect, it } from "vitest";
import { loginNovelty } from "./loginNovelty.ts";

const login = (occurredAt: string, device: string, network: string, country: string) => ({
  occurredAt,
  device,
  network,
  location: { country },
});

describe("loginNovelty", () => {
  const history = [
    login("2026-11-03T00:00:00Z", "Firefox on Linux", "198.51.100.0/24", "RU"),
    login("2026-11-02T00:00:00Z", "Safari on iOS", "203.0.113.0/24", "FR"),
    login("2026-11-01T00:00:00Z", "Chrome on Windows", "203.0.113.0/24", "FR"),
    login("2026-10-20T00:00:00Z", "Chrome on Windows", "192.0.2.0/24", "FR"),
  ];

  it("counts the account's earlier logins with the same device, network and country", () => {
    const novelty = loginNovelty(
      login("2026-11-02T12:00:00Z", "Chrome on Windows", "198.51.100.0/24", "FR"),
      history,
    );
    expect(novelty).toEqual({
      device: { value: "Chrome on Windows", earlierLogins: 2, firstSeenAt: "2026-10-20T00:00:00Z" },
      network: { value: "198.51.100.0/24", earlierLogins: 0, firstSeenAt: null },
      country: { value: "FR", earlierLogins: 3, firstSeenAt: "2026-10-20T00:00:00Z" },
      comparedLogins: 3,
      comparedSince: "2026-10-20T00:00:00Z",
    });
  });

  it("ignores the login itself and later ones; knows nothing without a login", () => {
    const attack = history[0] as (typeof history)[number];
    expect(loginNovelty(attack, history)?.device.earlierLogins).toBe(0);
    expect(loginNovelty(null, history)).toBeNull();
  });
});
