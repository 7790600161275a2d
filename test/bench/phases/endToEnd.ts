// End to end on the population: Vigil consumes the whole backlog; its rate, CPU and what it settled.
import type { Bench } from "../bench.ts";
import { cpuByCommand, cpuOf, cpuSpent, memoryOf } from "../proc.ts";
import type { Results } from "../report.ts";
import { fmt, sum } from "../util.ts";
import type { Vigil } from "../vigil.ts";

export async function endToEnd({ dataEnd, log }: Bench, vigil: Vigil): Promise<Results["e2e"]> {
  log(`Vigil end to end on ${fmt(sum(dataEnd))} events`);
  const cpuBefore = cpuByCommand();
  const vigilCpuBefore = cpuOf(vigil.pid);
  const { first, last } = await vigil.consumeUntil(dataEnd, 0, 3_600_000);
  const cpu = cpuSpent(cpuBefore, cpuByCommand());
  const vigilCpu = cpuOf(vigil.pid) - vigilCpuBefore;
  const seconds = (last.at - first.at) / 1000;
  const rate = (last.count - first.count) / seconds;
  await vigil.settle(600_000);
  const settled = (performance.now() - first.at) / 1000;
  const e2e = {
    events: last.count,
    seconds,
    rate,
    settledSeconds: settled,
    vigilCpuSeconds: vigilCpu,
    cpuByCommand: Object.fromEntries([...cpu].sort((a, b) => b[1] - a[1]).slice(0, 8)),
    rssAfter: memoryOf(vigil.pid)?.rss ?? 0,
    metrics: await vigil.scrape(),
  };
  vigil.endPhase("e2e");
  await vigil.snapshot("e2e");
  log(
    `Vigil end to end: ${fmt(rate)} events/s (${seconds.toFixed(1)} s); settled after ${settled.toFixed(1)} s`,
  );
  return e2e;
}
