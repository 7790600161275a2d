// Backtest: archived events (JSON lines) through the engine offline.
//   node packages/simulator/src/eval/backtestCli.ts events.jsonl [--min-severity medium]
//     [--config '{"novelty":{"pointsPerBit":6}}'] [--reasons]
// Prints what would have been flagged; with labelled lines ({"event":…,"label":…}) also the quality
// report of the simulator. Lines that are not valid events are listed on stderr and skipped.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { configure } from "@vigil/detection";
import { SEVERITIES, type Severity } from "@vigil/events";
import { backtest, formatFlags } from "./backtest.ts";
import { formatReport } from "./report.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "min-severity": { type: "string", default: "medium" },
    config: { type: "string" },
  },
});
const file = positionals[0];
const minimum = values["min-severity"] as Severity;
if (file === undefined || !SEVERITIES.includes(minimum)) {
  process.stderr.write(
    "usage: backtestCli.ts FILE.jsonl [--min-severity low|medium|high|critical] [--config JSON]\n",
  );
  process.exit(2);
}

const result = backtest(
  readFileSync(file, "utf8"),
  configure(values.config === undefined ? {} : JSON.parse(values.config)),
);
for (const { line, message } of result.rejected.slice(0, 20))
  process.stderr.write(`line ${line}: ${message}\n`);
if (result.rejected.length > 0) process.stderr.write(`${result.rejected.length} lines skipped\n`);
process.stdout.write(formatFlags(result.flags, minimum));
if (result.quality !== null) {
  process.stdout.write(
    `\n${formatReport(result.quality, { command: `backtest ${file}`, input: file, events: result.events })}`,
  );
}
