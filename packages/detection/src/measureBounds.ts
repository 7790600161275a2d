// What one source and one account keep under a flood, and what a batch costs: 1M logins from one
// /24 (200 a second, nearly every one on another account, as a stuffing list runs) and 1M failed
// logins on one account (from networks all over). Prints the stored state's size and the time per
// batch of 500 (load the JSON, score, store the JSON, as the service does) every 100k logins.
//   node packages/detection/src/measureBounds.ts [--logins 1000000] [--batch 500]
import { parseArgs } from "node:util";
import { emptyPopulation } from "./population.ts";
import type { SourceState } from "./source.ts";
import { emptyClock, markPartition, observeSourceOnClock, partitionWatermark } from "./sourceClock.ts";
import { failureObs, loginObs, T0 } from "./testing.ts";
import { observeUser } from "./user.ts";
import type { UserState } from "./userState.ts";

const { values } = parseArgs({
  options: { logins: { type: "string", default: "1000000" }, batch: { type: "string", default: "500" } },
});
const total = Number(values.logins);
const batch = Number(values.batch);
const network = "198.51.100.0/24";
const cloud = { number: 64500, org: "Example Cloud" };
const kib = (text: string) => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB`;

function flood(name: string, step: (stored: string, i: number) => string): void {
  process.stdout.write(`${name}\n  logins      state     ms/batch (median of the last 100k)\n`);
  let stored = "null";
  let times: number[] = [];
  for (let start = 0; start < total; start += batch) {
    const began = performance.now();
    stored = step(stored, start);
    times.push(performance.now() - began);
    const done = start + batch;
    if (done % 100_000 === 0) {
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
      process.stdout.write(
        `  ${done.toLocaleString("en-US").padStart(9)}  ${kib(stored).padStart(10)}  ${median.toFixed(2).padStart(8)}\n`,
      );
      times = [];
    }
  }
}

const clock = emptyClock();
flood("one /24 (and its AS): 200 logins/s, 95% failures on accounts never seen again", (stored, first) => {
  let state = (JSON.parse(stored) as SourceState | undefined) ?? undefined;
  for (let i = first; i < first + batch; i++) {
    const at = T0 + i * 5; // 200 a second
    const obs =
      i % 20 === 0
        ? loginObs(at, { userId: `ok${i}`, network, asn: cloud })
        : failureObs(at, { userId: `v${i}`, network, asn: cloud });
    state = observeSourceOnClock(clock, state, obs, { key: network, scope: "network" }).state;
    markPartition(clock, { partition: 0, partitions: 1, at: partitionWatermark(at) });
  }
  return JSON.stringify(state);
});

const population = emptyPopulation();
flood("one account: failed logins from networks all over, 200 a second", (stored, first) => {
  let state = (JSON.parse(stored) as UserState | undefined) ?? undefined;
  for (let i = first; i < first + batch; i++) {
    const obs = failureObs(T0 + i * 5, { network: `198.${(i >> 8) & 255}.${i & 255}.0/24` });
    state = observeUser(state, population, obs).state;
  }
  return JSON.stringify(state);
});
