import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../../infra/kafka/kafka.sh", import.meta.url));

export interface OwnBroker {
  brokers: string[];
  /** Starts it (fresh: wiping its data first) and waits until it answers. */
  start(options?: { fresh?: boolean }): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 20 s); its data stays for the next start. */
  stop(): Promise<void>;
}

/** Brokers started by this process, stopped again when it exits whatever happened. */
const running = new Set<Record<string, string>>();

process.once("exit", () => {
  for (const env of running) {
    try {
      execFileSync("bash", [script, "stop"], { env, stdio: "ignore", timeout: 30_000 });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
});

/**
 * A single-node broker of this test's own (infra/kafka/kafka.sh with its knobs), on another port
 * and data folder than the shared one, so that stopping it disturbs nobody else.
 */
export function ownBroker(port = 19092, dataDir = "/tmp/vigil-fault-kafka"): OwnBroker {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_DATA_DIR: dataDir,
  };
  const run = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile("bash", [script, ...args], { env, timeout: 180_000 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`kafka.sh ${args.join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve();
      });
    });
  return {
    brokers: [`localhost:${port}`],
    async start(options = {}) {
      running.add(env);
      await run("start", ...(options.fresh ? ["--fresh"] : []));
    },
    async stop() {
      await run("stop");
      running.delete(env);
    },
  };
}
