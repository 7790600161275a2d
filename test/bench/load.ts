// HTTP throughput from a separate process on loopback: wrk when installed (C, cheap on a small
// machine), else the Node load generator next to this file.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cacheDir } from "./dataset.ts";

const run = promisify(execFile);

export interface LoadResult {
  tool: "wrk" | "node";
  requests: number;
  failed: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  baseUrl: string;
  paths: string[];
  seconds: number;
  connections: number;
  authorization?: string;
}

let wrkPresent: boolean | undefined;
async function hasWrk(): Promise<boolean> {
  wrkPresent ??= await run("wrk", ["--version"]).then(
    () => true,
    (error: { stdout?: string }) => (error.stdout ?? "").includes("wrk"),
  );
  return wrkPresent;
}

function millis(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us"
    ? value / 1000
    : match[2] === "ms"
      ? value
      : match[2] === "s"
        ? value * 1000
        : value * 60_000;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  if (await hasWrk()) {
    const script = join(cacheDir, "wrk-paths.lua");
    writeFileSync(
      script,
      `local paths = {${options.paths.map((p) => JSON.stringify(p)).join(", ")}}\n` +
        'local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n',
    );
    const args = ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--latency", "-s", script];
    if (options.authorization) args.push("-H", `authorization: ${options.authorization}`);
    const { stdout } = await run("wrk", [...args, options.baseUrl], { maxBuffer: 1 << 20 });
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
    const failed =
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) +
      Number(/Socket errors: connect (\d+)/.exec(stdout)?.[1] ?? 0);
    return {
      tool: "wrk",
      requests,
      failed,
      rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
      p50Ms: millis(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? ""),
      p99Ms: millis(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? ""),
    };
  }
  const loadgen = fileURLToPath(new URL("./loadgen.ts", import.meta.url));
  const { stdout } = await run(process.execPath, [
    loadgen,
    options.baseUrl,
    String(options.seconds),
    String(options.connections),
    options.authorization ?? "",
    ...options.paths,
  ]);
  return { tool: "node", ...(JSON.parse(stdout) as Omit<LoadResult, "tool">) };
}
