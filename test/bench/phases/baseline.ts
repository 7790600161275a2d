// The reference: a bare kafkajs consumer (eachBatch, no work) over the same backlog, in its own process.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Bench } from "../bench.ts";
import { repoRoot } from "../dataset.ts";
import type { Results } from "../report.ts";
import { fmt, runScript, sum } from "../util.ts";

export async function baseline({
  brokers,
  topics,
  prefix,
  dataEnd,
  log,
}: Bench): Promise<Results["baseline"]> {
  const plain = await runScript<NonNullable<Results["baseline"]>>(join(repoRoot, "test/bench/baseline.ts"), [
    brokers.join(","),
    topics.activity,
    `${prefix}baseline-${randomBytes(3).toString("hex")}`,
    String(sum(dataEnd)),
    JSON.stringify({}),
  ]);
  log(`baseline (kafkajs defaults): ${fmt(plain.rate)} events/s`);
  return { rate: plain.rate, seconds: plain.seconds, cpuSeconds: plain.cpuSeconds };
}
