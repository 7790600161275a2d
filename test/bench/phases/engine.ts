// The pure engine's events/s on one core (packages/simulator/src/eval/bench.ts), read from its output.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../dataset.ts";
import type { Results } from "../report.ts";

export async function engineBench(log: (text: string) => void): Promise<Results["engine"]> {
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
