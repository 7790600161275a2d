// The durable floor (../floor.ts) on its own database, in its own process, on the same backlog.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { temporaryDatabase } from "@vigil/store/testing";
import type { Bench } from "../bench.ts";
import { repoRoot } from "../dataset.ts";
import type { Results } from "../report.ts";
import { fmt, runScript, sum } from "../util.ts";

/** Partitions the durable floor handles at once: KAFKA_PARTITION_CONCURRENCY's default, as Vigil runs. */
const FLOOR_CONCURRENCY = 2;

export async function durableFloor({
  brokers,
  topics,
  prefix,
  dataEnd,
  log,
}: Bench): Promise<Results["floor"]> {
  const database = await temporaryDatabase();
  try {
    const floor = await runScript<{ rate: number; seconds: number; cpuSeconds: number }>(
      join(repoRoot, "test/bench/floor.ts"),
      [
        brokers.join(","),
        topics.activity,
        `${prefix}floor-${randomBytes(3).toString("hex")}`,
        String(sum(dataEnd)),
        database.url,
        String(FLOOR_CONCURRENCY),
      ],
    );
    log(`durable floor (kafkajs + PostgreSQL): ${fmt(floor.rate)} events/s`);
    return { ...floor, concurrency: FLOOR_CONCURRENCY };
  } finally {
    await database.drop().catch((error: Error) => log(`database not dropped: ${error.message}`));
  }
}
