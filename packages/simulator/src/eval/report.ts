import { isAttack, SCENARIOS, type ScenarioName } from "../types.ts";
import type { QualityReport, ScenarioQuality } from "./metrics.ts";

// The report as Markdown, so that the same text reads in a terminal and in docs/quality.md: one
// table of attack shapes (recall at high+), one of benign personas (medium+ and high+ rates, over
// all their sessions and over the sessions that show the persona's odd behaviour).

const rate = (events: number, ms: number): string => Math.round(events / (ms / 1000)).toLocaleString("en-US");
const pct = (n: number, of: number): string => (of === 0 ? "–" : `${((100 * n) / of).toFixed(2)}%`);
const share = (n: number, of: number): string => `${n} (${pct(n, of)})`;

function recallOf(q: ScenarioQuality): string {
  return q.recall === null ? "–" : `${q.caught}/${q.attacks} = ${q.recall.toFixed(3)}`;
}

function timeOf(q: ScenarioQuality): string {
  return q.eventsToHigh === null
    ? "–"
    : `${q.eventsToHigh.median} / ${q.eventsToHigh.p95} / ${q.eventsToHigh.max}`;
}

function attackRow(q: ScenarioQuality, name = q.scenario, own = true): string {
  const victims = own ? `${q.benignSessions} | ${share(q.benignMedium, q.benignSessions)}` : "– | –";
  return `| ${name} | ${recallOf(q)} | ${q.onlyMedium} | ${q.attackSessions} | ${timeOf(q)} | ${victims} |`;
}

function benignRow(q: ScenarioQuality, name = q.scenario): string {
  const focus =
    q.focusSessions === 0
      ? "– | – | –"
      : `${q.focusSessions} | ${share(q.focusMedium, q.focusSessions)} | ${share(q.focusHigh, q.focusSessions)}`;
  return `| ${name} | ${q.benignSessions} | ${share(q.benignFlagged, q.benignSessions)} | ${share(q.benignMedium, q.benignSessions)} | ${share(q.benignHigh, q.benignSessions)} | ${focus} | ${q.accountNotices} |`;
}

function lowest(worst: ScenarioQuality | null): string {
  if (worst === null || worst.recall === null) return "no attacks";
  if (worst.recall === 1) return "every attack shape 1.000";
  return `lowest shape: ${worst.scenario} ${worst.recall.toFixed(3)}`;
}

const known = (name: string): name is ScenarioName => (SCENARIOS as readonly string[]).includes(name);

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
  const attacks = report.scenarios.filter(
    (q) => q.attacks > 0 || (known(q.scenario) && isAttack(q.scenario)),
  );
  const benign = report.scenarios.filter((q) => !attacks.includes(q));
  const worst = attacks.reduce<ScenarioQuality | null>(
    (w, q) => (q.recall !== null && (w === null || q.recall < (w.recall ?? 1)) ? q : w),
    null,
  );
  const personaWorst = benign.reduce<ScenarioQuality | null>(
    (w, q) =>
      q.benignSessions > 0 &&
      (w === null || q.benignHigh / q.benignSessions > w.benignHigh / w.benignSessions)
        ? q
        : w,
    null,
  );
  const lines = [
    `Command: \`${run.command}\``,
    "",
    `${run.input}: ${run.events.toLocaleString("en-US")} events replayed through the engine.`,
    "",
    "Attacks (one attacker against one account, caught when any of its sessions is flagged high or critical):",
    "",
    "| attack shape | attacks caught at high+ (recall) | missed, flagged medium | attack sessions | events to high: median / p95 / max | victims' own sessions in the story | of which flagged medium+ |",
    "|---|---|---|---|---|---|---|",
    ...attacks.map((q) => attackRow(q)),
    attackRow(o, "**overall**", false),
    "",
    "Benign personas (every session of the persona's users; then only the sessions that show its odd behaviour: the VPN exit, the roaming phone, the reset, the cleanup):",
    "",
    "| persona | sessions | flagged at all (low+) | medium+ | high+ | sessions showing the behaviour | of which medium+ | of which high+ | account flags high+ without a session |",
    "|---|---|---|---|---|---|---|---|---|",
    ...benign.map((q) => benignRow(q)),
    benignRow(o, "**overall**"),
    "",
    "Targets (issue 11): recall at high+ ≥ 0.98 overall and ≥ 0.95 per attack shape; benign medium+ ≤ 0.5% overall; benign high+ ≤ 0.1% overall and ≤ 1% in every benign persona.",
    "",
    `- recall overall: ${o.recall === null ? "–" : o.recall.toFixed(3)}; ${lowest(worst)}`,
    `- benign sessions flagged medium+: ${pct(o.benignMedium, o.benignSessions)}; high+: ${pct(o.benignHigh, o.benignSessions)}${
      personaWorst === null
        ? ""
        : `; highest persona high+: ${personaWorst.scenario} ${pct(personaWorst.benignHigh, personaWorst.benignSessions)}`
    }`,
    `- notices that would go to benign users (flags at high+ on benign sessions, and sessionless ones on accounts no attack touched): ${report.benignNotices}`,
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

const START = "<!-- report:start (written by the eval command; edit around it) -->";
const END = "<!-- report:end -->";

/**
 * The document with its report replaced: only the text between the markers changes, so that the
 * sections people write around the figures survive a new run. A document without markers (or none
 * at all) gets a fresh one.
 */
export function withReport(document: string | null, report: string): string {
  const block = `${START}\n\n${report}\n${END}`;
  const from = document?.indexOf(START) ?? -1;
  const to = document?.indexOf(END) ?? -1;
  if (document === null || from < 0 || to < from) {
    return `# Detection quality\n\nLatest output of the quality report (\`pnpm eval\`).\n\n${block}\n`;
  }
  return `${document.slice(0, from)}${block}${document.slice(to + END.length)}`;
}
