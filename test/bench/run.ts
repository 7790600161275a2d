// The benchmark: one run, on this machine, against the real broker and PostgreSQL.
//   node test/bench/run.ts [--events 1000000] [--quick] [--soak-minutes 10] [--rate 2000] …
// See docs/performance.md for what it measures and the figures of the last full run. This file reads
// the flags and runs the phases (phases/*.ts) in order; each phase adds its figures to the results.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { topicNames } from "@vigil/events";
import type { Bench, Settings } from "./bench.ts";
import { cacheDir, population, readLines, repoRoot } from "./dataset.ts";
import { describeMachine } from "./machine.ts";
import { apiThroughput } from "./phases/api.ts";
import { baseline } from "./phases/baseline.ts";
import { endToEnd } from "./phases/endToEnd.ts";
import { engineBench } from "./phases/engine.ts";
import { durableFloor } from "./phases/floor.ts";
import { manyProfiles } from "./phases/profiles.ts";
import { steadyRate } from "./phases/steady.ts";
import { memoryOf } from "./proc.ts";
import { benchKafka, createTopic, deleteTopicsWithPrefix, highWatermarks, produceAll } from "./produce.ts";
import { type Results, renderReport, writeReport } from "./report.ts";
import { fmt, sleep } from "./util.ts";
import { startVigil } from "./vigil.ts";

const PHASES = "baseline,floor,e2e,profiles,steady,api,engine";

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    help: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    events: { type: "string" },
    profiles: { type: "string" },
    "soak-minutes": { type: "string" },
    rate: { type: "string", default: "2000" },
    "markers-per-second": { type: "string", default: "4" },
    partitions: { type: "string", default: "6" },
    seed: { type: "string", default: "1" },
    "api-seconds": { type: "string" },
    phases: { type: "string", default: PHASES },
    "vigil-env": { type: "string", multiple: true, default: [] },
    "node-flags": { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    "heap-snapshots": { type: "boolean", default: false },
    "wait-quiet": { type: "boolean", default: false },
    write: { type: "boolean" },
    label: { type: "string", default: "" },
    keep: { type: "boolean", default: false },
    cleanup: { type: "boolean", default: false },
  },
});

if (args.help) {
  process.stdout.write(`node test/bench/run.ts [flags]   (docs/performance.md)
  --quick                 100,000 events and profiles, a 1-minute soak, 5-second API runs
  --events N              population events (1,000,000)        --profiles N  first logins (1,000,000)
  --soak-minutes N        steady phase length (10)             --rate N      steady events/s (2000)
  --markers-per-second N  marker logins in the steady phase (4)
  --partitions N (6)  --seed N (1)  --api-seconds N (15)
  --phases LIST           of ${PHASES}
  --vigil-env NAME=value  added to Vigil's environment (repeatable)
  --node-flags "..."      Node's flags instead of the start script's
  --cpu-prof, --heap-snapshots   profiles and heap snapshots under .cache/bench/prof
  --wait-quiet            wait (up to 15 min) for a load average under 1
  --write / --no-write    update docs/performance.md (default: unless --quick)
  --label TEXT, --keep (keep topics and database), --cleanup (delete kept topics, then exit)
`);
  process.exit(0);
}

const quick = args.quick === true;
const settings: Settings = {
  events: Number(args.events ?? (quick ? 100_000 : 1_000_000)),
  profiles: Number(args.profiles ?? (quick ? 100_000 : 1_000_000)),
  soakSeconds: Number(args["soak-minutes"] ?? (quick ? 1 : 10)) * 60,
  rate: Number(args.rate),
  markersPerSecond: Number(args["markers-per-second"]),
  partitions: Number(args.partitions),
  seed: Number(args.seed),
  apiSeconds: Number(args["api-seconds"] ?? (quick ? 5 : 15)),
  phases: new Set(args.phases.split(",")),
};
const brokers = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");
const started = Date.now();
const log = (text: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

mkdirSync(cacheDir, { recursive: true });

if (args["wait-quiet"]) {
  const deadline = Date.now() + 15 * 60_000;
  while ((loadavg()[0] ?? 0) > 1 && Date.now() < deadline) {
    log(`load average ${loadavg()[0]?.toFixed(2)} > 1: waiting for a quiet machine`);
    await sleep(30_000);
  }
}
const loadBefore = loadavg();

if (args.cleanup) {
  // Topics of earlier runs that were kept (--keep) or interrupted: bench<6 hex>.*
  const admin = benchKafka(brokers).admin();
  await admin.connect();
  const leftovers = (await admin.listTopics()).filter((topic) => /^bench[0-9a-f]{6}\./.test(topic));
  if (leftovers.length > 0) await admin.deleteTopics({ topics: leftovers, timeout: 30_000 });
  await admin.disconnect();
  log(`deleted ${leftovers.length} topics of earlier runs`);
  process.exit(0);
}

// ---- data -------------------------------------------------------------------------------------
const file = await population(settings.seed, settings.events, log);
const prefix = `bench${randomBytes(3).toString("hex")}.`;
const topics = topicNames(prefix);
const kafka = benchKafka(brokers);
await createTopic(kafka, topics.activity, settings.partitions);
log(`producing ${fmt(settings.events)} events to ${topics.activity} (${settings.partitions} partitions)`);
const produced = await produceAll(kafka, topics.activity, readLines(file));
log(`produced at ${fmt(produced.sent / produced.seconds)} events/s`);
const dataEnd = await highWatermarks(kafka, topics.activity);
const bench: Bench = { settings, brokers, kafka, prefix, topics, file, dataEnd, log };

const results: Results = {
  label: args.label,
  quick,
  command: `node test/bench/run.ts ${process.argv.slice(2).join(" ")}`.trim(),
  settings: { ...settings, phases: [...settings.phases] },
  machine: await describeMachine(),
  loadBefore,
  produceRate: produced.sent / produced.seconds,
};

// ---- phases -----------------------------------------------------------------------------------
try {
  if (settings.phases.has("baseline")) results.baseline = await baseline(bench);
  if (settings.phases.has("floor")) results.floor = await durableFloor(bench);
  if (["e2e", "profiles", "steady", "api"].some((p) => settings.phases.has(p))) await vigilPhases();
  if (settings.phases.has("engine")) results.engine = await engineBench(log);
} finally {
  if (!args.keep)
    await deleteTopicsWithPrefix(kafka, prefix).catch((error: Error) =>
      log(`topics not deleted: ${error.message}`),
    );
}
results.loadAfter = loadavg();

// ---- report -----------------------------------------------------------------------------------
const report = renderReport(results);
process.stdout.write(`\n${report}\n`);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
writeFileSync(join(cacheDir, `results-${stamp}.json`), JSON.stringify(results, null, 2));
if (args.write ?? !quick) {
  writeReport(join(repoRoot, "docs", "performance.md"), report);
  log("figures written to docs/performance.md");
} else {
  writeFileSync(join(cacheDir, "quick.md"), report);
  log(`figures written to .cache/bench/quick.md (use --write to update docs/performance.md)`);
}
process.exit(0);

/** The phases on one Vigil process, in order: each leaves the service as the next expects it. */
async function vigilPhases(): Promise<void> {
  const vigil = await startVigil(bench, {
    env: args["vigil-env"],
    nodeFlags: args["node-flags"],
    cpuProfile: args["cpu-prof"],
    heapSnapshots: args["heap-snapshots"],
    keep: args.keep,
  });
  Object.assign(results, {
    startCommand: vigil.startCommand,
    vigilEnv: vigil.vigilEnv,
    startupSeconds: vigil.startupSeconds,
    startRss: vigil.startRss,
    phasePeaks: vigil.phasePeaks,
  });
  try {
    if (settings.phases.has("e2e")) results.e2e = await endToEnd(bench, vigil);
    if (settings.phases.has("profiles")) Object.assign(results, await manyProfiles(bench, vigil));
    let markedUsers: string[] = [];
    if (settings.phases.has("steady"))
      ({ steady: results.steady, markedUsers } = await steadyRate(bench, vigil));
    if (settings.phases.has("api")) results.api = await apiThroughput(bench, vigil, markedUsers);
    results.peakRss = Math.max(vigil.memory.peak, memoryOf(vigil.pid)?.peak ?? 0);
  } finally {
    await vigil.stop();
  }
}
