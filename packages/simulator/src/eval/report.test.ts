import { describe, expect, it } from "vitest";
import type { QualityReport, ScenarioQuality } from "./metrics.ts";
import { formatReport, withReport } from "./report.ts";

function quality(scenario: string, over: Partial<ScenarioQuality>): ScenarioQuality {
  return {
    scenario,
    attacks: 0,
    attackSessions: 0,
    caught: 0,
    onlyMedium: 0,
    recall: null,
    benignSessions: 0,
    benignFlagged: 0,
    benignMedium: 0,
    benignHigh: 0,
    focusSessions: 0,
    focusMedium: 0,
    focusHigh: 0,
    accountNotices: 0,
    eventsToHigh: null,
    ...over,
  };
}

const report: QualityReport = {
  scenarios: [
    quality("cookie_replay", { attacks: 20, attackSessions: 20, caught: 19, onlyMedium: 1, recall: 0.95 }),
    quality("vpn_user", {
      benignSessions: 400,
      benignMedium: 4,
      benignHigh: 2,
      focusSessions: 100,
      focusMedium: 4,
      focusHigh: 2,
    }),
  ],
  overall: quality("overall", { attacks: 20, caught: 19, recall: 0.95, benignSessions: 400, benignHigh: 2 }),
  benignNotices: 2,
  sessionless: {},
};

describe("formatReport", () => {
  const text = formatReport(report, { command: "eval", input: "test", events: 10 });

  it("gives each attack shape a row with its recall, and each persona its rates overall and where it shows", () => {
    expect(text).toContain("| cookie_replay | 19/20 = 0.950 | 1 | 20 |");
    expect(text).toContain(
      "| vpn_user | 400 | 0 (0.00%) | 4 (1.00%) | 2 (0.50%) | 100 | 4 (4.00%) | 2 (2.00%) | 0 |",
    );
    expect(text).toContain("lowest shape: cookie_replay 0.950");
    expect(text).toContain("highest persona high+: vpn_user 0.50%");
  });
});

describe("withReport", () => {
  it("replaces only the report between the markers, keeping what was written around it", () => {
    const first = withReport(null, "figures 1\n");
    const edited = `${first}\n## The shapes\n\nHand-written.\n`;
    const second = withReport(edited, "figures 2\n");
    expect(second).toContain("figures 2");
    expect(second).not.toContain("figures 1");
    expect(second).toContain("## The shapes\n\nHand-written.");
    expect(second.startsWith("# Detection quality")).toBe(true);
  });
});
