// Engine throughput on one core: a seeded population, enriched once, replayed several times through
// the engine alone (the same loop as the quality report), each run from empty state.
//   node --single-threaded packages/simulator/src/eval/bench.ts [--users 2000] [--days 30] [--seed 7] [--runs 5]
// (--single-threaded keeps V8's garbage collector on the same core, so the figure is one core's.)
import { parseArgs } from "node:util";
import { asnLookupsPerSecond } from "@vigil/geo";
import { generatePopulation } from "../index.ts";
import { enrich, replay } from "./replay.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "2000" },
    days: { type: "string", default: "30" },
    seed: { type: "string", default: "7" },
    runs: { type: "string", default: "5" },
  },
});
const labelled = generatePopulation({
  seed: Number(values.seed),
  users: Number(values.users),
  days: Number(values.days),
});
const observations = enrich(labelled);
const wall: number[] = [];
const cpu: number[] = [];
for (let run = 0; run < Number(values.runs); run++) {
  const { engineMs, engineCpuMs } = replay(observations);
  wall.push(observations.length / (engineMs / 1000));
  cpu.push(observations.length / (engineCpuMs / 1000));
}
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (rates: number[]) => [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
process.stdout.write(
  `${observations.length.toLocaleString("en-US")} events × ${wall.length} runs, events/s (one thread):\n` +
    `  by CPU time:  median ${fmt(median(cpu))}, best ${fmt(Math.max(...cpu))}, first (cold) ${fmt(cpu[0] ?? 0)}\n` +
    `  by wall time: median ${fmt(median(wall))}, best ${fmt(Math.max(...wall))}, first (cold) ${fmt(wall[0] ?? 0)}\n`,
);
// Enrichment, done once per address by the service's cache: the ASN lookup alone, on this population's addresses.
const ips = [...new Set(labelled.flatMap(({ event }) => (event.ip === undefined ? [] : [event.ip])))];
process.stdout.write(
  `ASN lookups (asnOf, ${ips.length.toLocaleString("en-US")} addresses of the population): ${fmt(asnLookupsPerSecond(ips))} lookups/s (one thread, CPU time)\n`,
);
