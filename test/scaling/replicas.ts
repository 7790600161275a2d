// One replica against two, on this machine: the same pre-produced stream consumed by one detector
// process, then by two in one consumer group, each time on fresh topics, group and PostgreSQL database.
//   node test/scaling/replicas.ts [--users 400] [--days 30]
// Prints events/s from the first process start to the last committed batch, and the ratio.
import { parseArgs } from "node:util";
import { temporaryDatabase } from "@vigil/store/testing";
import { startDetector } from "../faults/support/detector.ts";
import { committedActivity } from "../faults/support/state.ts";
import { asMessages, produceAll, seededStream } from "../faults/support/stream.ts";
import { isolatedTopics, testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";

const { values } = parseArgs({
  options: { users: { type: "string", default: "400" }, days: { type: "string", default: "30" } },
});
const brokers = testBrokers();
const messages = asMessages(
  seededStream({ seed: 3, users: Number(values.users), days: Number(values.days), campaigns: true }),
);

async function consume(replicas: number): Promise<number> {
  const { prefix, topics } = isolatedTopics();
  const database = await temporaryDatabase();
  const settings = {
    brokers,
    prefix,
    groupId: `${prefix}vigil`,
    databaseUrl: database.url,
    env: { KAFKA_TOPIC_PARTITIONS: "6" },
  };
  // The first process creates the topics; the stream is in Kafka before anyone consumes it.
  const first = await startDetector(settings);
  await first.ready(60_000);
  await first.terminate();
  await produceAll(brokers, topics.activity, messages);
  const started = performance.now();
  const processes = await Promise.all(Array.from({ length: replicas }, () => startDetector(settings)));
  await waitFor(
    "the stream committed",
    async () => ((await committedActivity(database.url, topics)) >= messages.length ? true : undefined),
    600_000,
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(processes.map((p) => p.terminate()));
  await database.drop();
  return messages.length / seconds;
}

const one = await consume(1);
const two = await consume(2);
const load = (await import("node:os"))
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
console.log(`${messages.length} events, 6 partitions, PostgreSQL, load average ${load}`);
console.log(`| replicas | events/s |\n|---|---|\n| 1 | ${Math.round(one)} |\n| 2 | ${Math.round(two)} |`);
console.log(`ratio two/one: ${(two / one).toFixed(2)}`);
