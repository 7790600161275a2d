// The Vigil process under measurement: started as `pnpm start` starts it, on its own database and
// consumer group, with what the phases read from it (stored offsets, the outbox, /metrics, memory).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { temporaryDatabase } from "@vigil/store/testing";
import { sign } from "hono/jwt";
import pg from "pg";
import { freePort } from "../support/net.ts";
import type { Bench } from "./bench.ts";
import { cacheDir, historyUsers, repoRoot } from "./dataset.ts";
import { type LoadResult, load } from "./load.ts";
import { MemorySampler, memoryOf } from "./proc.ts";
import { highWatermarks } from "./produce.ts";
import { fmt, sleep, sum, waitUntil } from "./util.ts";

export interface VigilOptions {
  /** `NAME=value` pairs added to the service's environment. */
  env: string[];
  /** Node's flags instead of those of package.json's start script. */
  nodeFlags: string | undefined;
  cpuProfile: boolean;
  heapSnapshots: boolean;
  /** Keep the database (and say where) instead of dropping it. */
  keep: boolean;
}

const secret = "bench-secret-bench-secret-bench-secret-01";

export type Vigil = Awaited<ReturnType<typeof startVigil>>;

/** Spawns Vigil and waits until it is ready; `stop()` ends it and drops its database. */
export async function startVigil(bench: Bench, options: VigilOptions) {
  const { settings, brokers, kafka, prefix, topics, log } = bench;
  const database = await temporaryDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const port = await freePort();
  const constantPort = await freePort();
  const groupId = `${prefix}vigil`;
  const out = openSync(join(cacheDir, "vigil.log"), "w");
  const vigilEnv = Object.fromEntries(
    options.env.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  const { env: startEnv, flags: startFlags } = startScript();
  const nodeFlags = options.nodeFlags?.split(/\s+/).filter(Boolean) ?? startFlags;
  // Node's flags as `pnpm start` gives them, so that the process measured is the one deployed.
  const nodeArgs = [...nodeFlags, "--import", join(repoRoot, "test/bench/constant.ts")];
  const startCommand = [
    ...Object.entries(startEnv).map(([name, value]) => `${name}=${value}`),
    "node",
    ...nodeFlags,
    "services/detector/src/main.ts",
  ].join(" ");
  if (options.cpuProfile) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${join(cacheDir, "prof")}`);
  if (options.heapSnapshots)
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
        ...vigilEnv,
      },
    },
  );
  const spawnedAt = performance.now();
  const exited = once(child, "exit");
  const pid = child.pid as number;
  const memory = new MemorySampler(pid, 1000);
  const url = `http://127.0.0.1:${port}`;
  /** Peak RSS (VmHWM) of each phase, in MiB. */
  const phasePeaks: Record<string, number> = {};

  const stop = async () => {
    memory.stop();
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000).then(() => child.kill("SIGKILL"))]);
    closeSync(out);
    await db.end().catch(() => {});
    if (options.keep) log(`kept database ${database.url} and topics ${prefix}*`);
    else await database.drop().catch((error: Error) => log(`database not dropped: ${error.message}`));
  };

  /** The phase's peak RSS (VmHWM), then the high-water mark reset for the next phase (clear_refs 5). */
  const endPhase = (phase: string) => {
    phasePeaks[phase] = memoryOf(pid)?.peak ?? Number.NaN;
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
    if (!options.heapSnapshots) return;
    mkdirSync(join(cacheDir, "prof"), { recursive: true });
    log(`heap snapshot after ${phase}`);
    child.kill("SIGUSR2");
    await sleep(20_000);
  };

  let startupSeconds: number;
  let startRss: number;
  try {
    await waitUntil("Vigil ready", 60_000, async () => (await fetch(`${url}/readyz`)).status === 200);
    startupSeconds = (performance.now() - spawnedAt) / 1000;
    startRss = memoryOf(pid)?.rss ?? 0;
    endPhase("start");
    await db.connect();
  } catch (error) {
    await stop();
    throw error;
  }

  /** The offsets Vigil has stored for `topic`, by partition. */
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

  /** Waits until the outbox is empty and the internal topics are consumed to their ends. */
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
  const apiLoad = async (
    users: string[],
  ): Promise<{ constant: LoadResult; flags: LoadResult; users: number }> => {
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

  const countRows = async (table: string): Promise<number> => {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    return rows[0]?.n ?? 0;
  };

  /** Users with flags first, then any with a profile, then (nothing consumed yet) the population's. */
  const someUsers = async (): Promise<string[]> => {
    const { rows } = await db.query<{ user_id: string }>(
      `(select distinct user_id from flags limit 250)
       union (select user_id from user_states where user_id not like 'usr_new_%' limit 250)`,
    );
    if (rows.length > 0) return rows.map((row) => row.user_id);
    return (await historyUsers(bench.file, 1)).slice(0, 500).map((user) => user.userId);
  };

  return {
    pid,
    url,
    authorization,
    memory,
    startCommand,
    vigilEnv,
    startupSeconds,
    startRss,
    phasePeaks,
    endPhase,
    snapshot,
    committed,
    consumeUntil,
    settle,
    apiLoad,
    countRows,
    someUsers,
    scrape: () => scrape(url),
    stop,
  };
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

/** V8 heap (used / total) and memory outside it (Buffers, geoip's tables), in MiB. */
export function heapOf(metrics: Record<string, number>): { used: number; total: number; external: number } {
  const mib = (name: string) => (metrics[name] ?? Number.NaN) / 2 ** 20;
  return {
    used: mib("vigil_nodejs_heap_size_used_bytes"),
    total: mib("vigil_nodejs_heap_size_total_bytes"),
    external: mib("vigil_nodejs_external_memory_bytes"),
  };
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
