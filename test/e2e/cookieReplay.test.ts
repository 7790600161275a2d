import { ipFacts } from "@vigil/geo";
import { generateScenario } from "@vigil/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

interface FlagView {
  id: string;
  sessionId: string | null;
  severity: string;
  reasons: { code: string; message: string }[];
}

describe("a session cookie replayed from abroad, on the real broker and PostgreSQL", () => {
  let vigil: TestVigil;
  let analyst: string;
  beforeAll(async () => {
    vigil = await startVigil();
    analyst = await vigil.token("analyst-1", "flags:read");
  });
  afterAll(() => vigil?.stop());

  it("raises a high flag and a notice when the owner's live session changes recovery email and password from another country, with no new login", async () => {
    // Seed 4: the owner logs in at home and uses the session; minutes later the same session, from
    // another country, changes the recovery email and the password.
    const story = generateScenario("cookie_replay", { seed: 4, userId: "victim" });
    const history = story.filter((e) => !e.label.attack).map((e) => e.event);
    const attack = story.filter((e) => e.label.attack).map((e) => e.event);
    const ownLogin = history.filter((e) => e.type === "login.succeeded").at(-1);
    // What makes it a cookie replay: no login by the thief, only the owner's session, another country.
    expect(attack.some((e) => e.type === "login.succeeded")).toBe(false);
    expect(new Set(attack.map((e) => e.sessionId))).toEqual(new Set([ownLogin?.sessionId]));
    const home = ipFacts(ownLogin?.ip ?? "")?.place?.country;
    const away = ipFacts(attack.find((e) => e.ip !== undefined)?.ip ?? "")?.place?.country;
    expect(home).toBeDefined();
    expect(away).toBeDefined();
    expect(away).not.toBe(home);
    expect(attack.map((e) => (e.type === "settings.changed" ? e.setting : e.type))).toEqual(
      expect.arrayContaining(["recovery_email", "password"]),
    );

    await produce(vigil.topics.activity, history);
    await produce(vigil.topics.activity, attack);

    const flag = await waitFor("the session's flag at high", async () => {
      const { body } = await vigil.get(`/v1/flags?userId=victim&sessionId=${ownLogin?.sessionId}`, analyst);
      const found = (body.items as FlagView[])[0];
      return found && (found.severity === "high" || found.severity === "critical") ? found : undefined;
    });
    const codes = flag.reasons.map((r) => r.code);
    expect(codes[0]).toBe("risky_session_activity");
    expect(codes).toEqual(
      expect.arrayContaining(["session_context_changed", "recovery_changed", "password_changed"]),
    );
    expect(flag.reasons.find((r) => r.code === "session_context_changed")?.message).toMatch(
      /^The session moved from .+ to .+ after it began \(country changed.*\); a stolen session cookie reads this way$/,
    );

    const victim = await vigil.token("victim");
    const notices = await waitFor("the victim's notice", async () => {
      const { body: page } = await vigil.get("/v1/me/notices", victim);
      return page.items.length > 0 ? page.items : undefined;
    });
    expect(notices).toHaveLength(1);
    expect(notices[0].flagId).toBe(flag.id);
    for (const event of story)
      if (event.event.ip) expect(JSON.stringify(notices)).not.toContain(event.event.ip);
  });
});
