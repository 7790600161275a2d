// One, two and three replicas on this machine: the same pre-produced stream consumed by one detector
// process, then two, then three in one consumer group, each time on fresh topics, group and
// PostgreSQL database, the stream produced once all are in the group. For each: events/s from the first to the last committed batch, the CPU of
// each replica, of PostgreSQL and of the broker, and the database's time by statement.
//   node test/scaling/replicas.ts [--users 400] [--days 30] [--replicas 1,2,3]
import { parseArgs } from "node:util";
import { temporaryDatabase } from "@vigil/store/testing";
import { cpuByCommand, cpuOf, cpuSpent } from "../bench/proc.ts";
import { type DetectorProcess, startDetector } from "../faults/support/detector.ts";
import { committedActivity } from "../faults/support/state.ts";
import { asMessages, produceAll, seededStream } from "../faults/support/stream.ts";
import { isolatedTopics, testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "400" },
    days: { type: "string", default: "30" },
    replicas: { type: "string", default: "1,2,3" },
  },
});
const brokers = testBrokers();
const messages = asMessages(
  seededStream({ seed: 3, users: Number(values.users), days: Number(values.days) }),
);

interface Run {
  replicas: number;
  rate: number;
  seconds: number;
  /** CPU seconds of each replica, then of PostgreSQL and the broker (all of the machine's). */
  replicaCpu: number[];
  postgresCpu: number;
  brokerCpu: number;
  /** Seconds of database time (wall, by statement) summed over the replicas, largest first. */
  statements: [string, number][];
}

/** vigil_store_query_duration_seconds_sum by statement, from one replica's /metrics. */
async function statementSeconds(detector: DetectorProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${detector.url}/metrics`)).text();
  const seconds = new Map<string, number>();
  for (const match of text.matchAll(
    /^vigil_store_query_duration_seconds_sum\{statement="([^"]+)"\} ([\d.e+-]+)$/gm,
  ))
    seconds.set(match[1] as string, Number(match[2]));
  return seconds;
}

async function consume(replicas: number): Promise<Run> {
  const { prefix, topics } = isolatedTopics();
  const database = await temporaryDatabase();
  const settings = {
    brokers,
    prefix,
    groupId: `${prefix}vigil`,
    databaseUrl: database.url,
    env: { KAFKA_TOPIC_PARTITIONS: "6" },
  };
  // Every replica in the group (each ready: a member with an assignment) before the stream is
  // produced, so that none has consumed a head start alone; the producer outpaces the consumers.
  const processes = await Promise.all(Array.from({ length: replicas }, () => startDetector(settings)));
  await Promise.all(processes.map((p) => p.ready(60_000)));
  const cpuBefore = cpuByCommand();
  const replicaBefore = processes.map((p) => cpuOf(p.pid));
  await produceAll(brokers, topics.activity, messages);
  let start = { at: 0, count: 0 };
  await waitFor(
    "the first batch committed",
    async () => {
      const count = await committedActivity(database.url, topics);
      if (count === 0) return undefined;
      start = { at: performance.now(), count };
      return true;
    },
    600_000,
  );
  await waitFor(
    "the stream committed",
    async () => ((await committedActivity(database.url, topics)) >= messages.length ? true : undefined),
    600_000,
  );
  const seconds = (performance.now() - start.at) / 1000;
  const cpu = cpuSpent(cpuBefore, cpuByCommand());
  const replicaCpu = processes.map((p, i) => cpuOf(p.pid) - (replicaBefore[i] ?? 0));
  const statements = new Map<string, number>();
  for (const p of processes)
    for (const [statement, s] of await statementSeconds(p))
      statements.set(statement, (statements.get(statement) ?? 0) + s);
  await Promise.all(processes.map((p) => p.terminate()));
  await database.drop();
  return {
    replicas,
    seconds,
    rate: (messages.length - start.count) / seconds,
    replicaCpu,
    postgresCpu: cpu.get("postgres") ?? 0,
    brokerCpu: cpu.get("java") ?? 0,
    statements: [...statements].sort((a, b) => b[1] - a[1]).slice(0, 5),
  };
}

const runs: Run[] = [];
for (const replicas of values.replicas.split(",").map(Number)) runs.push(await consume(replicas));
const load = (await import("node:os"))
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const one = runs[0]?.rate ?? Number.NaN;
console.log(`${messages.length} events, 6 partitions, PostgreSQL, load average after ${load}`);
console.log(
  "| replicas | events/s | vs one | CPU s of each replica | CPU s PostgreSQL / broker | database time by statement (s, summed) |",
);
console.log("|---|---|---|---|---|---|");
for (const run of runs)
  console.log(
    `| ${run.replicas} | ${Math.round(run.rate).toLocaleString("en-US")} | ${(run.rate / one).toFixed(2)} | ` +
      `${run.replicaCpu.map((s) => s.toFixed(1)).join(", ")} | ${run.postgresCpu.toFixed(1)} / ${run.brokerCpu.toFixed(1)} | ` +
      `${run.statements.map(([statement, s]) => `${statement} ${s.toFixed(1)}`).join(", ")} |`,
  );
process.exit(0);
