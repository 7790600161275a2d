// The benchmark's figures as a Markdown table, and their place in docs/performance.md (between the
// `bench:begin` and `bench:end` markers; the prose around them is left alone).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { LoadResult } from "./load.ts";

export interface Results {
  label: string;
  quick: boolean;
  command: string;
  settings: {
    events: number;
    profiles: number;
    soakSeconds: number;
    rate: number;
    markersPerSecond: number;
    partitions: number;
    seed: number;
    apiSeconds: number;
    phases: string[];
  };
  machine: {
    cpu: string;
    memoryGiB: number;
    node: string;
    kafka: string;
    postgres: { version: string; sharedBuffers: string; synchronousCommit: string };
  };
  loadBefore: number[];
  loadAfter?: number[];
  produceRate: number;
  vigilEnv?: Record<string, string>;
  startCommand?: string;
  baseline?: { rate: number; seconds: number; cpuSeconds: number };
  /** The durable floor (floor.ts): every event stored in PostgreSQL, one transaction per batch. */
  floor?: { rate: number; seconds: number; cpuSeconds: number; concurrency: number };
  /** From spawning Vigil to its first ready /readyz. */
  startupSeconds?: number;
  /** Peak RSS (VmHWM) of the Vigil process during each phase, in MiB. */
  phasePeaks?: Record<string, number>;
  /** The API measured while the consumer catches up on the first logins. */
  apiBusy?: { constant: LoadResult; flags: LoadResult; users: number; behindAfter: number };
  e2e?: {
    events: number;
    seconds: number;
    rate: number;
    settledSeconds: number;
    vigilCpuSeconds: number;
    cpuByCommand: Record<string, number>;
    rssAfter: number;
    metrics: Record<string, number>;
  };
  profiles?: {
    events: number;
    rate: number;
    vigilCpuSeconds: number;
    rssAfter: number;
    peakRss: number;
    profilesStored: number;
    cacheSize: number;
    heap: { used: number; total: number; external: number };
  };
  steady?: {
    rate: number;
    seconds: number;
    sent: number;
    producerBehindMs: number;
    markers: number;
    flagged: number;
    missed: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    rssStart: number;
    rssEnd: number;
    slope: number;
    slopeSecondHalf: number;
    vigilCpuShare: number;
    cacheSize: number;
    heap: { used: number; total: number; external: number };
    profilesStored: number;
    rssSeries: number[][];
  };
  api?: { constant: LoadResult; flags: LoadResult; users: number };
  engine?: { cpuRate: number; wallRate: number; events: number };
  startRss?: number;
  peakRss?: number;
}

const n = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? "n/a"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const check = (ok: boolean | undefined) => (ok === undefined ? "" : ok ? " ✅" : " ❌");

export function renderReport(r: Results): string {
  const rows: [string, string, string][] = [];
  const ratio = r.e2e && r.baseline ? r.e2e.rate / r.baseline.rate : undefined;
  rows.push(["Bare kafkajs consumer (eachBatch, no work)", `${n(r.baseline?.rate)} events/s`, ""]);
  rows.push([
    "Vigil end to end, exactly-once, PostgreSQL",
    `${n(r.e2e?.rate)} events/s${check(r.e2e ? r.e2e.rate >= 20_000 : undefined)}`,
    "≥ 20,000 events/s",
  ]);
  const floorRatio = r.e2e && r.floor ? r.e2e.rate / r.floor.rate : undefined;
  rows.push([
    "Durable floor (kafkajs, every event stored in PostgreSQL, one transaction per batch)",
    `${n(r.floor?.rate)} events/s`,
    "",
  ]);
  rows.push([
    "Ratio Vigil / durable floor (Vigil / bare consumer)",
    `${n(floorRatio, 2)}${check(floorRatio === undefined ? undefined : floorRatio >= 0.6)} (${n(ratio, 2)})`,
    "≥ 0.6",
  ]);
  rows.push([
    `Produce → flag visible at ${n(r.steady?.rate)} events/s, p50 / p99`,
    r.steady
      ? `${n(r.steady.p50Ms)} / ${n(r.steady.p99Ms)} ms${check(r.steady.p99Ms <= 250 && r.steady.missed === 0)}`
      : "n/a",
    "p99 ≤ 250 ms",
  ]);
  const apiRatio = r.api ? r.api.flags.rate / r.api.constant.rate : undefined;
  rows.push([
    "API `GET /v1/flags?userId=` / constant hono route",
    r.api
      ? `${n(r.api.flags.rate)} / ${n(r.api.constant.rate)} req/s = ${n(apiRatio, 2)}${check((apiRatio ?? 0) >= 0.5)}`
      : "n/a",
    "≥ 0.5",
  ]);
  const busyRatio = r.apiBusy ? r.apiBusy.flags.rate / r.apiBusy.constant.rate : undefined;
  rows.push([
    "… the same while the consumer catches up on first logins; flags p99",
    r.apiBusy
      ? `${n(r.apiBusy.flags.rate)} / ${n(r.apiBusy.constant.rate)} req/s = ${n(busyRatio, 2)}${check((busyRatio ?? 0) >= 0.5)}; ${n(r.apiBusy.flags.p99Ms, 1)} ms`
      : "n/a",
    "≥ 0.5",
  ]);
  rows.push(["Engine alone, one core (CPU time)", `${n(r.engine?.cpuRate)} events/s`, ""]);
  rows.push([
    "Peak RSS of the Vigil process",
    `${n(r.peakRss)} MiB${check(r.peakRss === undefined ? undefined : r.peakRss < 600)}`,
    "< 600 MiB",
  ]);
  if (r.phasePeaks)
    rows.push([
      "Peak RSS (VmHWM) by phase",
      Object.entries(r.phasePeaks)
        .map(([phase, peak]) => `${phase} ${n(peak)}`)
        .join(", ")
        .concat(" MiB"),
      "< 600 MiB",
    ]);
  const profiles = r.steady?.profilesStored ?? r.profiles?.profilesStored;
  const cache = r.steady?.cacheSize ?? r.profiles?.cacheSize;
  rows.push([
    "Profiles seen (stored) / in the profile cache",
    `${n(profiles)} / ${n(cache)}`,
    "1,000,000 seen",
  ]);
  rows.push([
    `RSS slope at ${n(r.steady?.rate)} events/s over ${n((r.steady?.seconds ?? 0) / 60)} min (second half)`,
    r.steady
      ? `${n(r.steady.slope, 2)} MiB/min (${n(r.steady.slopeSecondHalf, 2)})${check(Math.abs(r.steady.slopeSecondHalf) < 1)}`
      : "n/a",
    "flat",
  ]);

  const lines = [
    "| figure | measured | target |",
    "|---|---|---|",
    ...rows.map(([figure, value, target]) => `| ${figure} | ${value} | ${target} |`),
    "",
    "Details:",
    "",
  ];
  const detail = (text: string) => lines.push(`- ${text}`);
  detail(
    `data: ${n(r.settings.events)} simulator events (seed ${r.settings.seed}), ${r.settings.partitions} partitions, ` +
      `produced at ${n(r.produceRate)} events/s`,
  );
  if (r.baseline)
    detail(
      `bare consumer: ${n(r.baseline.seconds, 1)} s first to last batch, ${n(r.baseline.cpuSeconds, 1)} CPU s`,
    );
  if (r.floor)
    detail(
      `durable floor: ${n(r.floor.seconds, 1)} s first to last committed batch, ${n(r.floor.cpuSeconds, 1)} CPU s ` +
        `in its process, ${r.floor.concurrency} partitions at once, Vigil's fetch settings`,
    );
  if (r.startupSeconds !== undefined)
    detail(`start-up: ${n(r.startupSeconds, 1)} s from spawn to ready (not in the end-to-end time)`);
  if (r.e2e) {
    const cpu = Object.entries(r.e2e.cpuByCommand)
      .map(([comm, s]) => `${comm} ${n(s, 1)}`)
      .join(", ");
    detail(
      `end to end: ${n(r.e2e.seconds, 1)} s first to last committed batch; outbox published and by-source/verdict ` +
        `topics consumed ${n(r.e2e.settledSeconds, 1)} s after the first commit; Vigil used ` +
        `${n(r.e2e.vigilCpuSeconds, 1)} CPU s (${n((r.e2e.vigilCpuSeconds / r.e2e.events) * 1e6, 1)} µs per event); ` +
        `CPU s by process: ${cpu}`,
    );
    detail(
      `end to end: ${n(r.e2e.metrics.vigil_flags_total)} flag changes, ${n(r.e2e.metrics.vigil_notices_total)} notices, ` +
        `${n(r.e2e.metrics.vigil_events_dead_lettered_total ?? 0)} dead-lettered, ` +
        `${n(r.e2e.metrics.vigil_events_skipped_total ?? 0)} skipped; ` +
        `${n(r.e2e.events / (r.e2e.metrics["vigil_batch_duration_seconds_count{account-activity}"] ?? Number.NaN))} ` +
        `events per batch on average; RSS after ${n(r.e2e.rssAfter)} MiB`,
    );
  }
  if (r.profiles)
    detail(
      `first logins of ${n(r.profiles.events)} distinct users: ${n(r.profiles.rate)} events/s, RSS after ` +
        `${n(r.profiles.rssAfter)} MiB, profile cache ${n(r.profiles.cacheSize)} entries`,
    );
  if (r.steady)
    detail(
      `steady: ${n(r.steady.sent)} events over ${n(r.steady.seconds / 60, 1)} min (simulator traffic of new users ` +
        `plus ${n(r.steady.markers)} marker logins from a new country and device), ${n(r.steady.flagged)} flagged, ` +
        `${n(r.steady.missed)} not flagged within 30 s, max ${n(r.steady.maxMs)} ms; producer at most ` +
        `${n(r.steady.producerBehindMs)} ms behind schedule; RSS ${n(r.steady.rssStart)} → ${n(r.steady.rssEnd)} MiB; ` +
        `Vigil CPU ${n(r.steady.vigilCpuShare * 100)} % of one core`,
    );
  if (r.api)
    detail(
      `API: ${r.api.flags.tool}, 32 connections, ${r.settings.apiSeconds} s each; flags p50/p99 ` +
        `${n(r.api.flags.p50Ms, 1)}/${n(r.api.flags.p99Ms, 1)} ms over ${r.api.users} users, constant ` +
        `${n(r.api.constant.p50Ms, 1)}/${n(r.api.constant.p99Ms, 1)} ms; failed ${r.api.flags.failed + r.api.constant.failed}`,
    );
  if (r.apiBusy)
    detail(
      `API while catching up: constant first, then flags, ${r.settings.apiSeconds} s each; flags p50/p99 ` +
        `${n(r.apiBusy.flags.p50Ms, 1)}/${n(r.apiBusy.flags.p99Ms, 1)} ms, constant ` +
        `${n(r.apiBusy.constant.p50Ms, 1)}/${n(r.apiBusy.constant.p99Ms, 1)} ms; ` +
        `${n(r.apiBusy.behindAfter)} events still to commit when the flags load ended; ` +
        `failed ${r.apiBusy.flags.failed + r.apiBusy.constant.failed}`,
    );
  if (r.engine)
    detail(
      `engine: packages/simulator/src/eval/bench.ts, ${n(r.engine.events)} events, median of 5 runs; by wall ` +
        `time ${n(r.engine.wallRate)} events/s`,
    );
  if (r.startCommand)
    detail(`Vigil process: \`${r.startCommand}\` (as \`pnpm start\`), configuration defaults`);
  if (r.vigilEnv && Object.keys(r.vigilEnv).length > 0)
    detail(
      `Vigil settings: ${Object.entries(r.vigilEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}`,
    );
  const m = r.machine;
  detail(
    `machine: ${m.cpu}, ${n(m.memoryGiB, 1)} GiB; Node ${m.node}; Kafka ${m.kafka} (one broker, loopback); ` +
      `PostgreSQL ${m.postgres.version} (shared_buffers ${m.postgres.sharedBuffers}, synchronous_commit ` +
      `${m.postgres.synchronousCommit}); load average before ${r.loadBefore.map((l) => l.toFixed(2)).join(" ")}` +
      `${r.loadAfter ? `, after ${r.loadAfter.map((l) => l.toFixed(2)).join(" ")}` : ""}`,
  );
  detail(`command: \`${r.command}\``);
  return lines.join("\n");
}

const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";

/** Replaces the figures between the markers (or appends them) in `file`. */
export function writeReport(file: string, report: string): void {
  const stamp = `_Last run: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC._`;
  const block = `${BEGIN}\n${stamp}\n\n${report}\n${END}`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Performance\n\n";
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? `${text.slice(0, begin)}${block}${text.slice(end + END.length)}`
      : `${text}${block}\n`;
  writeFileSync(file, next);
}
