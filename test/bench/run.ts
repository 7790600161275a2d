// The benchmark: one run, on this machine, against the real broker and PostgreSQL.
//   node test/bench/run.ts [--events 1000000] [--quick] [--soak-minutes 10] [--rate 2000] …
// See docs/performance.md for what it measures and the figures of the last full run.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { topicNames } from "@vigil/events";
import { sampleIps } from "@vigil/geo";
import { CITIES } from "@vigil/simulator";
import { temporaryDatabase, testPostgresUrl } from "@vigil/store/testing";
import { sign } from "hono/jwt";
import pg from "pg";
import {
  cacheDir,
  firstLogins,
  type HistoryUser,
  historyUsers,
  type Line,
  loginTemplates,
  population,
  readLines,
  replays,
  repoRoot,
} from "./dataset.ts";
import { load } from "./load.ts";
import {
  cpuByCommand,
  cpuOf,
  cpuSpent,
  localKafkaVersion,
  MemorySampler,
  memoryOf,
  slopePerMinute,
} from "./proc.ts";
import {
  benchKafka,
  createTopic,
  deleteTopicsWithPrefix,
  highWatermarks,
  produceAll,
  produceAtRate,
  type Scheduled,
} from "./produce.ts";
import { type Results, renderReport, writeReport } from "./report.ts";

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    quick: { type: "boolean", default: false },
    events: { type: "string" },
    profiles: { type: "string" },
    "soak-minutes": { type: "string" },
    rate: { type: "string", default: "2000" },
    "markers-per-second": { type: "string", default: "4" },
    partitions: { type: "string", default: "6" },
    seed: { type: "string", default: "1" },
    "api-seconds": { type: "string" },
    phases: { type: "string", default: "baseline,floor,e2e,profiles,steady,api,engine" },
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

const quick = args.quick === true;
const settings = {
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
const secret = "bench-secret-bench-secret-bench-secret-01";
const started = Date.now();
const log = (text: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
/** Partitions the durable floor handles at once: KAFKA_PARTITION_CONCURRENCY's default, as Vigil runs. */
const FLOOR_CONCURRENCY = 2;

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

const results: Results = {
  label: args.label,
  quick,
  command: `node test/bench/run.ts ${process.argv.slice(2).join(" ")}`.trim(),
  settings: { ...settings, phases: [...settings.phases] },
  machine: await describeMachine(),
  loadBefore,
  produceRate: produced.sent / produced.seconds,
};

try {
  if (settings.phases.has("baseline")) results.baseline = await baseline();
  if (settings.phases.has("floor")) results.floor = await durableFloor();
  const vigilPhases = ["e2e", "profiles", "steady", "api"].filter((p) => settings.phases.has(p));
  if (vigilPhases.length > 0) await vigil();
  if (settings.phases.has("engine")) results.engine = await engineBench();
} finally {
  if (!args.keep)
    await deleteTopicsWithPrefix(kafka, prefix).catch((error: Error) =>
      log(`topics not deleted: ${error.message}`),
    );
}
results.loadAfter = loadavg();

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

// ---- phases -----------------------------------------------------------------------------------

async function baseline(): Promise<Results["baseline"]> {
  const total = sum(dataEnd);
  const runOnce = async (options: Record<string, number>) => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(repoRoot, "test/bench/baseline.ts"),
      brokers.join(","),
      topics.activity,
      `${prefix}baseline-${randomBytes(3).toString("hex")}`,
      String(total),
      JSON.stringify(options),
    ]);
    return JSON.parse(stdout) as { rate: number; seconds: number; cpuSeconds: number };
  };
  const plain = await runOnce({});
  log(`baseline (kafkajs defaults): ${fmt(plain.rate)} events/s`);
  return { rate: plain.rate, seconds: plain.seconds, cpuSeconds: plain.cpuSeconds };
}

/** The durable floor (floor.ts) on its own database, in its own process, on the same backlog. */
async function durableFloor(): Promise<Results["floor"]> {
  const database = await temporaryDatabase();
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(repoRoot, "test/bench/floor.ts"),
      brokers.join(","),
      topics.activity,
      `${prefix}floor-${randomBytes(3).toString("hex")}`,
      String(sum(dataEnd)),
      database.url,
      String(FLOOR_CONCURRENCY),
    ]);
    const floor = JSON.parse(stdout) as { rate: number; seconds: number; cpuSeconds: number };
    log(`durable floor (kafkajs + PostgreSQL): ${fmt(floor.rate)} events/s`);
    return { ...floor, concurrency: FLOOR_CONCURRENCY };
  } finally {
    await database.drop().catch((error: Error) => log(`database not dropped: ${error.message}`));
  }
}

async function vigil(): Promise<void> {
  const database = await temporaryDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const port = await freePort();
  const constantPort = await freePort();
  const groupId = `${prefix}vigil`;
  const logFile = join(cacheDir, "vigil.log");
  const out = openSync(logFile, "w");
  const extraEnv = Object.fromEntries(
    args["vigil-env"].map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  // Node's flags as `pnpm start` gives them, so that the process measured is the one deployed.
  const nodeArgs = [...startFlags(), "--import", join(repoRoot, "test/bench/constant.ts")];
  const startEnv = startScript().env;
  results.startCommand = [
    ...Object.entries(startEnv).map(([name, value]) => `${name}=${value}`),
    "node",
    ...startFlags(),
    "services/detector/src/main.ts",
  ].join(" ");
  if (args["cpu-prof"]) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${join(cacheDir, "prof")}`);
  if (args["heap-snapshots"])
    nodeArgs.push("--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${join(cacheDir, "prof")}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, join(repoRoot, "services/detector/src/main.ts")],
    {
      cwd: repoRoot,
      stdio: ["ignore", out, out],
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: brokers.join(","),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_GROUP_ID: groupId,
        KAFKA_TOPIC_PARTITIONS: String(settings.partitions),
        DATABASE_URL: database.url,
        IP_HASH_KEY: "bench-ip-hash-key-0123456789abcdef",
        PORT: String(port),
        AUTH_JWT_SECRET: secret,
        // The API's per-caller budget (600/min by default) would make the throughput test a 429 test.
        API_RATE_LIMIT_PER_MINUTE: "1000000000",
        BENCH_CONSTANT_PORT: String(constantPort),
        ...startEnv,
        ...extraEnv,
      },
    },
  );
  const spawnedAt = performance.now();
  const exited = once(child, "exit");
  const pid = child.pid as number;
  const memory = new MemorySampler(pid, 1000);
  const url = `http://127.0.0.1:${port}`;
  results.vigilEnv = extraEnv;
  /** The phase's peak RSS (VmHWM), then the high-water mark reset for the next phase (clear_refs 5). */
  const endPhase = (phase: string) => {
    results.phasePeaks = { ...results.phasePeaks, [phase]: memoryOf(pid)?.peak ?? Number.NaN };
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      // gone, or a kernel without it: later phases then report the peak so far
    }
  };
  /** With --heap-snapshots: the child writes a heap snapshot to .cache/bench/prof (after a phase). */
  const snapshot = async (phase: string) => {
    // The kernel's view of the process's memory after each phase, for diagnosis.
    try {
      const proc = ["status", "smaps_rollup", "smaps"]
        .map((f) => readFileSync(`/proc/${pid}/${f}`, "utf8"))
        .join("\n");
      writeFileSync(join(cacheDir, `proc-${phase}.txt`), proc);
    } catch {
      // gone
    }
    const metrics = await fetch(`${url}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    writeFileSync(join(cacheDir, `metrics-${phase}.txt`), metrics);
    if (!args["heap-snapshots"]) return;
    mkdirSync(join(cacheDir, "prof"), { recursive: true });
    log(`heap snapshot after ${phase}`);
    child.kill("SIGUSR2");
    await sleep(20_000);
  };
  try {
    await waitUntil("Vigil ready", 60_000, async () => (await fetch(`${url}/readyz`)).status === 200);
    results.startupSeconds = (performance.now() - spawnedAt) / 1000;
    results.startRss = memoryOf(pid)?.rss ?? 0;
    endPhase("start");
    await db.connect();
    const committed = async (topic: string) => {
      const { rows } = await db.query<{ partition: number; next_offset: string }>(
        "select partition, next_offset from consumer_offsets where group_id = $1 and topic = $2",
        [groupId, topic],
      );
      return new Map(rows.map((row) => [row.partition, Number(row.next_offset)]));
    };
    /** Waits until the stored offsets reach `target`; returns when the first and last commits were seen. */
    const consumeUntil = async (target: Map<number, number>, base: number, timeoutMs: number) => {
      const total = sum(target);
      let first: { at: number; count: number } | null = null;
      const deadline = performance.now() + timeoutMs;
      let lastReport = performance.now();
      for (;;) {
        const count = sum(await committed(topics.activity));
        const now = performance.now();
        if (first === null && count > base) first = { at: now, count };
        if (count >= total && first !== null) return { first, last: { at: now, count } };
        if (now > deadline) throw new Error(`only ${count - base} of ${total - base} events committed`);
        if (now - lastReport > 10_000) {
          lastReport = now;
          log(
            `  … ${fmt(count - base)} of ${fmt(total - base)} committed, rss ${fmt(memoryOf(pid)?.rss ?? 0)} MiB`,
          );
        }
        await sleep(50);
      }
    };
    const settle = async (timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const { rows } = await db.query<{ n: number }>("select count(*)::int as n from outbox");
        let behind = rows[0]?.n ?? 0;
        for (const topic of [topics.bySource, topics.verdicts]) {
          const high = await highWatermarks(kafka, topic).catch(() => new Map<number, number>());
          const done = await committed(topic);
          for (const [partition, end] of high) behind += Math.max(0, end - (done.get(partition) ?? 0));
        }
        if (behind === 0) return;
        if (performance.now() > deadline) throw new Error(`${behind} messages not settled`);
        await sleep(200);
      }
    };

    const token = await sign(
      { sub: "bench", scope: "flags:read", exp: Math.floor(Date.now() / 1000) + 24 * 3600 },
      secret,
      "HS256",
    );
    const authorization = `Bearer ${token}`;
    /** The constant route, then `GET /v1/flags?userId=` over `users`, one after the other. */
    const apiLoad = async (users: string[]) => {
      const constant = await load({
        baseUrl: `http://127.0.0.1:${constantPort}`,
        paths: ["/constant"],
        seconds: settings.apiSeconds,
        connections: 32,
      });
      const flags = await load({
        baseUrl: url,
        paths: users.map((u) => `/v1/flags?userId=${encodeURIComponent(u)}`),
        seconds: settings.apiSeconds,
        connections: 32,
        authorization,
      });
      return { constant, flags, users: users.length };
    };

    // -- end to end on the population
    if (settings.phases.has("e2e")) {
      log(`Vigil end to end on ${fmt(sum(dataEnd))} events`);
      const cpuBefore = cpuByCommand();
      const vigilCpuBefore = cpuOf(pid);
      const { first, last } = await consumeUntil(dataEnd, 0, 3_600_000);
      const cpu = cpuSpent(cpuBefore, cpuByCommand());
      const vigilCpu = cpuOf(pid) - vigilCpuBefore;
      const seconds = (last.at - first.at) / 1000;
      const rate = (last.count - first.count) / seconds;
      await settle(600_000);
      const settled = (performance.now() - first.at) / 1000;
      results.e2e = {
        events: last.count,
        seconds,
        rate,
        settledSeconds: settled,
        vigilCpuSeconds: vigilCpu,
        cpuByCommand: Object.fromEntries([...cpu].sort((a, b) => b[1] - a[1]).slice(0, 8)),
        rssAfter: memoryOf(pid)?.rss ?? 0,
        metrics: await scrape(url),
      };
      endPhase("e2e");
      await snapshot("e2e");
      log(
        `Vigil end to end: ${fmt(rate)} events/s (${seconds.toFixed(1)} s); settled after ${settled.toFixed(1)} s`,
      );
    }

    // -- first logins of many distinct users: the profile cache's bound
    if (settings.phases.has("profiles")) {
      log(`${fmt(settings.profiles)} first logins of distinct users`);
      const templates = await loginTemplates(file, 5000);
      const before = await highWatermarks(kafka, topics.activity);
      const producing = produceAll(
        kafka,
        topics.activity,
        firstLogins(prefix.slice(5, 11), settings.profiles, templates, Date.parse("2026-11-01T00:00:00Z")),
      );
      const vigilCpuBefore = cpuOf(pid);
      await producing;
      const target = await highWatermarks(kafka, topics.activity);
      const catchingUp = consumeUntil(target, sum(before), 3_600_000);
      catchingUp.catch(() => {}); // awaited below; not unhandled while the API is measured
      if (settings.phases.has("api")) {
        // The API while the consumer catches up on the backlog of first logins.
        const users = await someUsers(db);
        const busy = await apiLoad(users);
        const behind = sum(target) - sum(await committed(topics.activity));
        results.apiBusy = { ...busy, behindAfter: behind };
        log(
          `API while catching up: flags ${fmt(busy.flags.rate)} req/s (p99 ${busy.flags.p99Ms.toFixed(1)} ms), ` +
            `constant ${fmt(busy.constant.rate)} req/s; ${fmt(behind)} events still behind after`,
        );
      }
      const { first, last } = await catchingUp;
      await settle(600_000);
      const metrics = await scrape(url);
      results.profiles = {
        events: last.count - sum(before),
        rate: (last.count - first.count) / ((last.at - first.at) / 1000),
        vigilCpuSeconds: cpuOf(pid) - vigilCpuBefore,
        rssAfter: memoryOf(pid)?.rss ?? 0,
        peakRss: memory.peak,
        profilesStored: await countRows(db, "user_states"),
        cacheSize: metrics.vigil_profile_cache_size ?? Number.NaN,
        heap: heapOf(metrics),
      };
      endPhase("profiles");
      await snapshot("profiles");
      log(
        `profiles: ${fmt(results.profiles.rate)} events/s, ${fmt(results.profiles.profilesStored)} profiles stored, ` +
          `rss ${fmt(results.profiles.rssAfter)} MiB`,
      );
    }

    const markedUsers: string[] = [];

    // -- steady rate: produce-to-flag-visible latency and memory over time
    if (settings.phases.has("steady")) {
      log(
        `steady: ${fmt(settings.rate)} events/s for ${settings.soakSeconds / 60} min, ` +
          `${settings.markersPerSecond} marker logins/s`,
      );
      // Settled at home: ten logins or more, all from one country. (Of the simulator's accounts with
      // a takeover in their history, ~1 in 2,000 has learnt the attacker's countries well enough
      // that one more new country scores under a flag.)
      const candidates = shuffle(
        (await historyUsers(file, 10)).filter((user) => user.countries.size === 1),
        settings.seed,
      );
      const markers = await markerPlaces();
      const traffic = replays(file)[Symbol.asyncIterator]();
      const every = Math.max(1, Math.round(settings.rate / settings.markersPerSecond));
      const latencies: number[] = [];
      const pending = new Map<string, { userId: string; due: number; polling: boolean }>();
      let missed = 0;
      let index = 0;
      let markerCount = 0;
      const run = prefix.slice(5, 11);
      const next = async (): Promise<Scheduled> => {
        const i = index++;
        if (i % every !== every - 1 || candidates.length === 0) {
          const { value } = await traffic.next();
          return value as Line;
        }
        const n = markerCount++;
        const user = candidates[n % candidates.length] as HistoryUser;
        const place = markers.find((m) => !user.countries.has(m.country)) ?? (markers[0] as Marker);
        const sessionId = `ses_mark_${run}_${n}`;
        markedUsers.push(user.userId);
        const event = {
          id: `evt_mark_${run}_${n}`,
          type: "login.succeeded",
          occurredAt: new Date().toISOString(),
          userId: user.userId,
          sessionId,
          ip: place.ips[n % place.ips.length],
          userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
          deviceId: `dev_mark_${run}_${n}`,
          method: "password",
        };
        return {
          key: user.userId,
          value: JSON.stringify(event),
          onDue: (due) => pending.set(sessionId, { userId: user.userId, due, polling: false }),
        };
      };
      let polling = true;
      let lastDue = Number.POSITIVE_INFINITY;
      const poller = (async () => {
        while (polling || pending.size > 0) {
          const now = performance.now();
          for (const [sessionId, marker] of pending) {
            if (marker.polling) continue;
            if (now - marker.due > 30_000) {
              pending.delete(sessionId);
              missed++;
              log(`  marker ${sessionId} of ${marker.userId} not flagged within 30 s`);
              continue;
            }
            marker.polling = true;
            void fetch(`${url}/v1/flags?userId=${encodeURIComponent(marker.userId)}`, {
              headers: { authorization },
            })
              .then(async (response) => {
                const body = (await response.json()) as { items?: { sessionId: string | null }[] };
                if (body.items?.some((flag) => flag.sessionId === sessionId)) {
                  latencies.push(performance.now() - marker.due);
                  pending.delete(sessionId);
                }
              })
              .catch(() => {})
              .finally(() => {
                marker.polling = false;
              });
          }
          if (!polling && pending.size > 0 && performance.now() > lastDue + 35_000) break;
          await sleep(10);
        }
      })();
      const from = performance.now() / 1000;
      const cpuBefore = cpuOf(pid);
      const sent = await produceAtRate(kafka, topics.activity, settings.rate, settings.soakSeconds, next);
      lastDue = performance.now();
      polling = false;
      const to = performance.now() / 1000;
      await poller;
      await traffic.return?.(undefined);
      const samples = memory.between(from, to);
      const secondHalf = memory.between((from + to) / 2, to);
      latencies.sort((a, b) => a - b);
      const quantile = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
      const metrics = await scrape(url);
      results.steady = {
        rate: settings.rate,
        seconds: settings.soakSeconds,
        sent: sent.sent,
        producerBehindMs: sent.behindMs,
        markers: markerCount,
        flagged: latencies.length,
        missed,
        p50Ms: quantile(0.5),
        p99Ms: quantile(0.99),
        maxMs: latencies[latencies.length - 1] ?? 0,
        rssStart: samples[0]?.rss ?? 0,
        rssEnd: samples[samples.length - 1]?.rss ?? 0,
        slope: slopePerMinute(samples),
        slopeSecondHalf: slopePerMinute(secondHalf),
        vigilCpuShare: (cpuOf(pid) - cpuBefore) / (to - from),
        cacheSize: metrics.vigil_profile_cache_size ?? Number.NaN,
        heap: heapOf(metrics),
        profilesStored: await countRows(db, "user_states"),
        rssSeries: samples
          .filter((_, i) => i % 10 === 0)
          .map((s) => [Math.round(s.at - from), Math.round(s.rss)]),
      };
      log(
        `steady: p50 ${results.steady.p50Ms.toFixed(0)} ms, p99 ${results.steady.p99Ms.toFixed(0)} ms ` +
          `(${latencies.length} of ${markerCount} markers flagged), rss slope ${results.steady.slope.toFixed(2)} MiB/min`,
      );
      endPhase("steady");
    }

    // -- API throughput against a constant hono route, same process
    if (settings.phases.has("api")) {
      // On a service that has caught up: the API's figure, not its competition with the consumer.
      await consumeUntil(await highWatermarks(kafka, topics.activity), 0, 3_600_000);
      await settle(600_000);
      const users = markedUsers.length > 0 ? [...new Set(markedUsers)].slice(0, 500) : await someUsers(db);
      results.api = await apiLoad(users);
      const { constant, flags } = results.api;
      endPhase("api");
      log(`API: flags ${fmt(flags.rate)} req/s, constant ${fmt(constant.rate)} req/s`);
    }
    results.peakRss = Math.max(memory.peak, memoryOf(pid)?.peak ?? 0);
  } finally {
    memory.stop();
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000).then(() => child.kill("SIGKILL"))]);
    closeSync(out);
    await db.end().catch(() => {});
    if (args.keep) log(`kept database ${database.url} and topics ${prefix}*`);
    else await database.drop().catch((error: Error) => log(`database not dropped: ${error.message}`));
  }
}

async function engineBench(): Promise<Results["engine"]> {
  const script = join(repoRoot, "packages/simulator/src/eval/bench.ts");
  log("engine bench (packages/simulator/src/eval/bench.ts)");
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: repoRoot });
    const cpu = /by CPU time:\s+median ([\d,]+)/.exec(stdout)?.[1];
    const wall = /by wall time:\s+median ([\d,]+)/.exec(stdout)?.[1];
    const events = /^([\d,]+) events/.exec(stdout)?.[1];
    return {
      cpuRate: Number(cpu?.replace(/,/g, "") ?? Number.NaN),
      wallRate: Number(wall?.replace(/,/g, "") ?? Number.NaN),
      events: Number(events?.replace(/,/g, "") ?? Number.NaN),
    };
  } catch (error) {
    log(`engine bench failed: ${(error as Error).message.split("\n")[0]}`);
    return { cpuRate: Number.NaN, wallRate: Number.NaN, events: Number.NaN };
  }
}

// ---- helpers ----------------------------------------------------------------------------------

interface Marker {
  country: string;
  ips: string[];
}

/** Addresses in cities far from most users (geolocated, so a login from there is a new country). */
async function markerPlaces(): Promise<Marker[]> {
  const places = [CITIES.lagos, CITIES.tokyo, CITIES.saoPaulo, CITIES.sydney, CITIES.mumbai, CITIES.newYork];
  return places.map((city, i) => ({
    country: city.country,
    ips: sampleIps({ country: city.country, city: city.city, count: 50, seed: 1000 + i }),
  }));
}

function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function sum(map: Map<number, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}

async function countRows(db: pg.Client, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0]?.n ?? 0;
}

/** Users with flags first, then any with a profile, then (nothing consumed yet) the population's. */
async function someUsers(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    `(select distinct user_id from flags limit 250)
     union (select user_id from user_states where user_id not like 'usr_new_%' limit 250)`,
  );
  if (rows.length > 0) return rows.map((row) => row.user_id);
  return (await historyUsers(file, 1)).slice(0, 500).map((user) => user.userId);
}

/** Unlabelled totals of the service's Prometheus series (labelled series summed). */
async function scrape(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const totals: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(vigil_[a-z_]+?)(\{[^}]*\})? ([\d.e+-]+)$/.exec(line);
    if (match?.[1] && !match[1].endsWith("_bucket")) {
      totals[match[1]] = (totals[match[1]] ?? 0) + Number(match[3]);
      // Per topic, without the prefix: vigil_batch_duration_seconds_count{account-activity}.
      const topic = /topic="(?:bench[0-9a-f]{6}\.)?([^"]+)"/.exec(match[2] ?? "")?.[1];
      if (topic) totals[`${match[1]}{${topic}}`] = (totals[`${match[1]}{${topic}}`] ?? 0) + Number(match[3]);
    }
  }
  return totals;
}

/** package.json's start script: `[NAME=value …] node [flags …] services/detector/src/main.ts`. */
function startScript(): { env: Record<string, string>; flags: string[] } {
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts?: Record<string, string> }
  ).scripts;
  const match = /^((?:[A-Z_]+=\S*\s+)*)node\s+(.*?)\s*services\/detector\/src\/main\.ts/.exec(
    scripts?.start ?? "",
  );
  const env = Object.fromEntries(
    (match?.[1] ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  return { env, flags: (match?.[2] ?? "").split(/\s+/).filter(Boolean) };
}

/** The flags between `node` and the entry point in package.json's start script, or `--node-flags`. */
function startFlags(): string[] {
  if (args["node-flags"] !== undefined) return args["node-flags"].split(/\s+/).filter(Boolean);
  return startScript().flags;
}

/** V8 heap (used / total) and memory outside it (Buffers, geoip's tables), in MiB. */
function heapOf(metrics: Record<string, number>): { used: number; total: number; external: number } {
  const mib = (name: string) => (metrics[name] ?? Number.NaN) / 2 ** 20;
  return {
    used: mib("vigil_nodejs_heap_size_used_bytes"),
    total: mib("vigil_nodejs_heap_size_total_bytes"),
    external: mib("vigil_nodejs_external_memory_bytes"),
  };
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}

async function describeMachine(): Promise<Results["machine"]> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  const setting = async (query: string) =>
    String(Object.values((await client.query(query)).rows[0] ?? {})[0]);
  const postgres = {
    version: (await setting("show server_version")).split(" ")[0] ?? "?",
    sharedBuffers: await setting("show shared_buffers"),
    synchronousCommit: await setting("show synchronous_commit"),
  };
  await client.end();
  const kafkaVersion = localKafkaVersion();
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    kafka: kafkaVersion,
    postgres,
  };
}
