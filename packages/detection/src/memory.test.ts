import { describe, expect, it } from "vitest";
import { defaultDetectionConfig } from "./config.ts";
import { emptyMemory, type RiskyContext, rememberRisk } from "./memory.ts";
import { newSession } from "./session.ts";

const DAY = 86_400_000;
const config = defaultDetectionConfig;
const { maxContexts } = config.memory;

/** A learned context whose first session scored 40: the witness of a groomed network. */
const witness = (i: number, at: number): RiskyContext => ({
  sessionId: `groom${i}`,
  at,
  risk: 40,
  why: "new country, new device",
  country: "NG",
  label: "Lagos, Nigeria",
  asn: null,
  network: `41.58.${i}.0/24`,
  learned: true,
});

describe("the account memory's bound", () => {
  it("keeps at most half its room for groomed networks' witnesses: more of them cannot crowd out a fresh risk that outweighs them", () => {
    const memory = emptyMemory();
    // An attacker who grooms more networks than the reserve holds, then logs in from a new place.
    memory.risky = Array.from({ length: maxContexts }, (_, i) => witness(i, i * DAY));
    const fresh = newSession("fresh", 20 * DAY);
    fresh.login = 5;
    fresh.loginReasons = ["new_country"];
    fresh.network = "198.51.100.0/24";
    rememberRisk(memory, fresh, 20 * DAY, config);
    const kept = memory.risky.map((e) => e.sessionId);
    expect(kept).toHaveLength(maxContexts);
    // The weakest fresh risk still has a place; the newest witnesses fill the reserve.
    expect(kept).toContain("fresh");
    expect(kept.filter((id) => id.startsWith("groom"))).toEqual([
      "groom1",
      "groom2",
      "groom3",
      "groom4",
      "groom5",
      "groom6",
      "groom7",
    ]);
  });
});
