import type { AccountEvent } from "@vigil/events";
import { generatePopulation, generateScenario } from "@vigil/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce, readTopic } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

interface FlagView {
  id: string;
  severity: string;
  eventCount: number;
  reasons: { code: string }[];
}

/** The sum of a Prometheus counter over all its label sets. */
async function counter(vigil: TestVigil, name: string): Promise<number> {
  // A keep-alive connection the busy server just closed fails once; the next attempt opens a new one.
  const text = await waitFor("the metrics", async () => (await fetch(`${vigil.url}/metrics`)).text(), 10_000);
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("an account takeover as it happens, on the real broker and PostgreSQL", () => {
  let vigil: TestVigil;
  let analyst: string;
  beforeAll(async () => {
    vigil = await startVigil();
    analyst = await vigil.token("analyst-1", "flags:read");
  });
  afterAll(() => vigil?.stop());

  it("escalates the session's flag to critical as the email change, MFA change and deletions arrive", async () => {
    const story = generateScenario("takeover_abroad", { seed: 11, userId: "victim" });
    const history = story.filter((e) => !e.label.attack).map((e) => e.event);
    const attack = story
      .filter((e) => e.label.attack && e.event.type !== "session.ended")
      .map((e) => e.event);
    expect(attack.map((e) => e.type)).toEqual([
      "login.succeeded",
      "settings.changed",
      "settings.changed",
      "content.deleted",
    ]);
    await produce(vigil.topics.activity, history);

    const seen: string[] = [];
    for (const [step, event] of attack.entries()) {
      await produce(vigil.topics.activity, [event]);
      const flag = await waitFor(`the flag after ${event.type}`, async () => {
        const { body } = await vigil.get(`/v1/flags?userId=victim&sessionId=${event.sessionId}`, analyst);
        const found = (body.items as FlagView[])[0];
        return found && found.eventCount === step + 1 ? found : undefined;
      });
      seen.push(flag.severity);
    }
    const rank = ["low", "medium", "high", "critical"];
    expect(seen[0]).not.toBe("critical");
    expect(seen.at(-1)).toBe("critical");
    expect(seen.map((s) => rank.indexOf(s))).toEqual([...seen.map((s) => rank.indexOf(s))].sort());
    const { body } = await vigil.get("/v1/flags?userId=victim", analyst);
    const codes = (body.items[0] as FlagView).reasons.map((r) => r.code);
    expect(codes[0]).toBe("risky_session_activity");
    expect(codes).toEqual(
      expect.arrayContaining(["email_changed", "mfa_disabled", "mass_deletion", "new_country"]),
    );

    // The victim hears about it once, in words that carry no address.
    const victim = await vigil.token("victim");
    const notices = await waitFor("the victim's notice", async () => {
      const { body: page } = await vigil.get("/v1/me/notices", victim);
      return page.items.length > 0 ? page.items : undefined;
    });
    expect(notices).toHaveLength(1);
    for (const event of story)
      if (event.event.ip) expect(JSON.stringify(notices)).not.toContain(event.event.ip);
  });

  it("never puts an address in a notice, over a whole simulated population with attacks", async () => {
    const events: AccountEvent[] = generatePopulation({
      seed: 5,
      users: 120,
      days: 10,
      attackRate: 0.25,
    }).map((e) => e.event);
    const before = await counter(vigil, "vigil_events_consumed_total");
    await produce(vigil.topics.activity, events);
    await waitFor(
      "the population consumed",
      async () =>
        (await counter(vigil, "vigil_events_consumed_total")) >= before + events.length ? true : undefined,
      90_000,
    );
    const created = await counter(vigil, "vigil_notices_total");
    expect(created).toBeGreaterThan(5);
    const published = await readTopic(vigil.topics.notices, (m) => m.length >= created);
    const text = published.map((m) => m.value?.toString() ?? "").join("\n");
    const addresses = new Set(events.flatMap((e) => (e.ip ? [e.ip] : [])));
    for (const address of addresses) expect(text).not.toContain(address);
    expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(text).not.toMatch(/https?:\/\//);
  });
});
