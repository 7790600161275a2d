import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { formatJsonLines } from "../jsonl.ts";
import { generateScenario } from "../scenario.ts";
import { backtest, formatFlags } from "./backtest.ts";

const stories = [
  ...generateScenario("takeover_abroad", { seed: 3 }),
  ...generateScenario("home_user", { seed: 4 }),
];
/** Lines of the stories; a blank one follows them (the JSON lines end with a newline). */
const LINES = stories.length;
const archive = [
  formatJsonLines(stories),
  "not json at all",
  JSON.stringify({ id: "x", type: "login.succeeded" }),
].join("\n");

describe("backtest", () => {
  it("replays a labelled archive and prints exactly what would have been flagged", () => {
    const result = backtest(archive);
    expect(result.rejected.map((r) => r.line)).toEqual([LINES + 2, LINES + 3]);
    expect(formatFlags(result.flags, "low")).toMatchInlineSnapshot(`
      "1 flags: 0 low, 0 medium, 0 high, 1 critical; shown: low and above

      | first event | severity | score | user | session | reasons | where |
      |---|---|---|---|---|---|---|
      | 2026-11-08T08:31:42.966Z | critical | 100 | usr_3s_takeover_abroad | ses_4f8ed6c1ab0f79e217b896d8 | risky_session_activity, mfa_disabled, mass_deletion, email_changed, new_country, new_device | St Petersburg, RU |
      "
    `);
    expect(result.quality?.overall).toMatchObject({ attackSessions: 1, caught: 1, benignMedium: 0 });
  });

  it("treats an archive of bare events as unlabelled", () => {
    const bare = formatJsonLines(generateScenario("takeover_abroad", { seed: 3 }), true);
    const result = backtest(bare);
    expect(result.quality).toBeNull();
    expect(result.flags.map((f) => f.severity)).toEqual(["critical"]);
  });

  // A process of its own: it loads the geolocation and routing datasets before replaying.
  it("runs as a command: flags and report on stdout, skipped lines on stderr", {
    timeout: 60_000,
  }, async () => {
    const file = join(tmpdir(), `vigil-backtest-${process.pid}.jsonl`);
    writeFileSync(file, archive);
    const cli = new URL("./backtestCli.ts", import.meta.url).pathname;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      cli,
      file,
      "--min-severity",
      "high",
    ]);
    expect(stdout).toContain("1 flags: 0 low, 0 medium, 0 high, 1 critical; shown: high and above");
    expect(stdout).toContain("| **overall** | 1/1 = 1.000 |");
    expect(stderr).toContain(`line ${LINES + 2}: not JSON`);
    expect(stderr).toContain("2 lines skipped");
  });
});
