import type { QualityReport, ScenarioQuality } from "./metrics.ts";

// The report as Markdown, so that the same text reads in a terminal and in docs/quality.md.

const rate = (events: number, ms: number): string => Math.round(events / (ms / 1000)).toLocaleString("en-US");
const pct = (n: number, of: number): string => (of === 0 ? "–" : `${((100 * n) / of).toFixed(2)}%`);

function row(q: ScenarioQuality): string {
  const recall = q.recall === null ? "–" : `${q.caught}/${q.attackSessions} = ${q.recall.toFixed(3)}`;
  const time =
    q.eventsToHigh === null
      ? "–"
      : `${q.eventsToHigh.median} / ${q.eventsToHigh.p95} / ${q.eventsToHigh.max}`;
  return `| ${q.scenario} | ${recall} | ${time} | ${q.benignSessions} | ${q.benignFlagged} (${pct(q.benignFlagged, q.benignSessions)}) | ${q.benignMedium} (${pct(q.benignMedium, q.benignSessions)}) | ${q.benignHigh} (${pct(q.benignHigh, q.benignSessions)}) |`;
}

function lowest(worst: ScenarioQuality | null): string {
  if (worst === null || worst.recall === null) return "no attack sessions";
  if (worst.recall === 1) return "every attack scenario 1.000";
  return `lowest scenario: ${worst.scenario} ${worst.recall.toFixed(3)}`;
}

export interface RunFacts {
  command: string;
  /** What was replayed, e.g. "2000 users, 30 days, seed 7". */
  input: string;
  events: number;
  /** Engine timings; left out where the output must be reproducible (backtests). */
  engineMs?: number;
  engineCpuMs?: number;
}

export function formatReport(report: QualityReport, run: RunFacts): string {
  const o = report.overall;
  const perScenario = report.scenarios.filter((q) => q.attackSessions > 0);
  const worst = perScenario.reduce<ScenarioQuality | null>(
    (w, q) => (w === null || (q.recall ?? 1) < (w.recall ?? 1) ? q : w),
    null,
  );
  const lines = [
    `Command: \`${run.command}\``,
    "",
    `${run.input}: ${run.events.toLocaleString("en-US")} events replayed through the engine.`,
    "",
    "| scenario | attack sessions caught at high+ (recall) | events to high: median / p95 / max | benign sessions | benign flagged at all (low+) | benign flagged medium+ | benign flagged high+ |",
    "|---|---|---|---|---|---|---|",
    ...report.scenarios.map(row),
    row(o).replace("| overall |", "| **overall** |"),
    "",
    "Targets (issue 3): recall at high+ ≥ 0.98 overall and ≥ 0.95 per attack scenario; benign medium+ ≤ 1%; benign high+ ≤ 0.1%.",
    "",
    `- recall overall: ${o.recall === null ? "–" : o.recall.toFixed(3)}; ${lowest(worst)}`,
    `- benign sessions flagged medium+: ${pct(o.benignMedium, o.benignSessions)}; high+: ${pct(o.benignHigh, o.benignSessions)}`,
    `- notices that would go to benign users (flags at high+ on benign sessions): ${report.benignNotices}`,
    `- sessionless flags (accounts under brute force, targets of spray/stuffing), created: ${
      Object.entries(report.sessionless)
        .map(
          ([code, counts]) =>
            `${code} ${Object.entries(counts)
              .map(([s, n]) => `${n} ${s}`)
              .join(", ")}`,
        )
        .join("; ") || "none"
    }`,
  ];
  if (run.engineMs !== undefined && run.engineCpuMs !== undefined) {
    lines.push(
      `- engine, this single cold run (enrichment excluded): ${rate(run.events, run.engineCpuMs)} events/s by CPU time, ${rate(run.events, run.engineMs)} by wall time; warm figures: \`node packages/simulator/src/eval/bench.ts\``,
    );
  }
  return `${lines.join("\n")}\n`;
}
