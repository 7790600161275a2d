// A closed-loop HTTP load generator for when `wrk` is not installed: `connections` keep-alive
// connections, each sending the next request as soon as the previous answer arrived, for `seconds`.
// Run in its own process by load.ts; prints one JSON line.
//   node test/bench/loadgen.ts <baseUrl> <seconds> <connections> <authorization or ""> <path>...
import { Agent, request } from "node:http";

const [baseUrl = "", secondsText = "10", connectionsText = "32", authorization = "", ...paths] =
  process.argv.slice(2);
const seconds = Number(secondsText);
const connections = Number(connectionsText);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const headers: Record<string, string> = authorization ? { authorization } : {};
const latencies: number[] = [];
let ok = 0;
let failed = 0;
let index = 0;
const deadline = performance.now() + seconds * 1000;

function once(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function loop(): Promise<void> {
  while (performance.now() < deadline) {
    const path = paths[index++ % paths.length] ?? "/";
    const started = performance.now();
    const status = await once(path).catch(() => 0);
    latencies.push(performance.now() - started);
    if (status >= 200 && status < 400) ok++;
    else failed++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ requests: ok + failed, failed, rate: (ok + failed) / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`,
);
agent.destroy();
