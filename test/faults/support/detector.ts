import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../../support/net.ts";
import { waitFor } from "../../support/wait.ts";

/** The repository root and the service's entry point, run exactly as `pnpm start` runs it. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const mainScript = fileURLToPath(new URL("../../../services/detector/src/main.ts", import.meta.url));

export const FAULT_SECRET = "fault-test-secret-fault-test-secret-0123";

export interface DetectorSettings {
  brokers: string[];
  prefix: string;
  groupId: string;
  databaseUrl: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DetectorProcess {
  pid: number;
  port: number;
  url: string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<Exit>;
  /** The exit, once it happened; null while alive. */
  exit(): Exit | null;
  /** The last lines it wrote (stdout and stderr, interleaved), for failure messages. */
  output(): string;
  /** Waits until /readyz answers 200 (member of its group with an assignment, store answering). */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  kill9(): Promise<Exit>;
  /** SIGTERM: the graceful path. Resolves once the process is gone. */
  terminate(): Promise<Exit>;
  /** A counter or gauge from /metrics, summed over its label sets (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Every child started and not yet seen to exit, so that no test leaves one behind. */
const living = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of living) child.kill("SIGKILL");
});

/** SIGKILLs every detector child still alive and waits for them to be gone. */
export async function killAllDetectors(): Promise<void> {
  const children = [...living];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

/** Starts `node services/detector/src/main.ts` as a child process, on a free port. */
export async function startDetector(settings: DetectorSettings): Promise<DetectorProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    KAFKA_BROKERS: settings.brokers.join(","),
    KAFKA_TOPIC_PREFIX: settings.prefix,
    KAFKA_GROUP_ID: settings.groupId,
    KAFKA_TOPIC_PARTITIONS: "3",
    DATABASE_URL: settings.databaseUrl,
    // Every replica of a run hashes addresses with the same key, as in production.
    IP_HASH_KEY: "fault-tests-ip-hash-key-0123456789",
    PORT: String(port),
    AUTH_JWT_SECRET: FAULT_SECRET,
    LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? "warn",
    SHUTDOWN_TIMEOUT_MS: "15000",
    // No partition says it is idle: a run's last spray and stuffing buckets are then judged (or not)
    // by the stream alone, not by whether the test read the final state before or after a quiet spell.
    PARTITION_IDLE_SECONDS: "86400",
    ...settings.env,
  };
  const child = spawn(process.execPath, [mainScript], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  living.add(child);
  const lines: string[] = [];
  // FAULT_LOG_FILE: every line of every detector, prefixed with its pid, for a failure to be read after.
  const logFile = process.env.FAULT_LOG_FILE;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      lines.push(line);
      if (logFile) appendFileSync(logFile, `${child.pid} ${line}\n`);
    }
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      living.delete(child);
      resolve(exit);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("the detector did not start");
  const url = `http://127.0.0.1:${port}`;
  const output = () => lines.slice(-60).join("\n");

  return {
    pid,
    port,
    url,
    exited,
    exit: () => exit,
    output,
    async ready(timeoutMs = 60_000) {
      const ready = waitFor(
        `detector ${pid} ready`,
        async () => {
          if (exit !== null) return false;
          const response = await fetch(`${url}/readyz`).catch(() => null);
          await response?.body?.cancel();
          return response?.status === 200 ? true : undefined;
        },
        timeoutMs,
      );
      const result = await Promise.race([ready, exited.then(() => false)]).catch((error: Error) => {
        throw new Error(`${error.message}\n--- detector output ---\n${output()}`);
      });
      if (result !== true) {
        throw new Error(`detector ${pid} exited (${JSON.stringify(exit)}) before it was ready:\n${output()}`);
      }
    },
    async kill9() {
      if (exit === null) child.kill("SIGKILL");
      return exited;
    },
    async terminate() {
      if (exit === null) child.kill("SIGTERM");
      return exited;
    },
    async metric(name, labels = {}) {
      const response = await fetch(`${url}/metrics`);
      const text = await response.text();
      let sum = 0;
      for (const line of text.split("\n")) {
        const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const set = match[2] ?? "";
        if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
      }
      return sum;
    },
  };
}
