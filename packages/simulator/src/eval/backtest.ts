import { type DetectionConfig, defaultDetectionConfig, type FlagUpdate } from "@vigil/detection";
import { type Severity, severityRank, validateEvent } from "@vigil/events";
import type { Label, LabelledEvent } from "../types.ts";
import { aggregate, type QualityReport } from "./metrics.ts";
import { enrich, replay } from "./replay.ts";

// A backtest: a team's own archived events through the engine, offline, to see what Vigil would
// have flagged (and, when the archive is labelled, how well) before it is deployed or retuned.

export interface ArchiveLine {
  event: unknown;
  label?: Label;
}

export interface Backtest {
  /** Each flag as it stood after the last event, earliest first. */
  flags: FlagUpdate[];
  /** Lines that could not be replayed, with why (1-based line numbers). */
  rejected: { line: number; message: string }[];
  events: number;
  /** Present when every accepted line carried a label. */
  quality: QualityReport | null;
}

/** Reads JSON lines (bare events or `{event, label}`), skipping and reporting bad ones. */
export function readArchive(text: string): {
  items: LabelledEvent[];
  labelled: boolean;
  rejected: Backtest["rejected"];
} {
  const items: LabelledEvent[] = [];
  const rejected: Backtest["rejected"] = [];
  let labelled = true;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let data: ArchiveLine;
    try {
      const parsed: unknown = JSON.parse(line);
      const wrapped = typeof parsed === "object" && parsed !== null && "event" in parsed;
      data = wrapped ? (parsed as ArchiveLine) : { event: parsed };
    } catch (error) {
      rejected.push({ line: index + 1, message: `not JSON: ${(error as Error).message}` });
      return;
    }
    const result = validateEvent(data.event);
    if (!result.ok) {
      rejected.push({ line: index + 1, message: result.message });
      return;
    }
    if (data.label === undefined) labelled = false;
    items.push({
      event: result.event,
      label: data.label ?? { scenario: "unlabelled", attack: false, actor: "" },
    });
  });
  return { items, labelled: labelled && items.length > 0, rejected };
}

/** Replays an archive in event-time order (ties keep file order), as the service would score it. */
export function backtest(text: string, config: DetectionConfig = defaultDetectionConfig): Backtest {
  const { items, labelled, rejected } = readArchive(text);
  const ordered = items
    .map((item, index) => ({ item, index, at: Date.parse(item.event.occurredAt) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ item }) => item);
  const run = replay(enrich(ordered), config);
  const latest = new Map<string, FlagUpdate>();
  for (const update of run.updates) latest.set(update.id, update);
  const flags = [...latest.values()].sort(
    (a, b) => a.firstEventAt.localeCompare(b.firstEventAt) || a.id.localeCompare(b.id),
  );
  return {
    flags,
    rejected,
    events: ordered.length,
    quality: labelled ? aggregate(ordered, run.updates) : null,
  };
}

/** One line per flag at or above `minimum`: what an analyst would have seen. */
export function formatFlags(flags: readonly FlagUpdate[], minimum: Severity): string {
  const shown = flags.filter((f) => severityRank(f.severity) >= severityRank(minimum));
  const counts = Object.fromEntries(["low", "medium", "high", "critical"].map((s) => [s, 0]));
  for (const flag of flags) counts[flag.severity] = (counts[flag.severity] ?? 0) + 1;
  const lines = [
    `${flags.length} flags: ${Object.entries(counts)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ")}; shown: ${minimum} and above`,
    "",
    "| first event | severity | score | user | session | reasons | where |",
    "|---|---|---|---|---|---|---|",
    ...shown.map(
      (f) =>
        `| ${f.firstEventAt} | ${f.severity} | ${f.score} | ${f.userId} | ${f.sessionId ?? "–"} | ${f.reasons
          .map((r) => r.code)
          .join(
            ", ",
          )} | ${f.location ? [f.location.city, f.location.country].filter(Boolean).join(", ") : "–"} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
