// The baseline: a bare kafkajs consumer group member that reads a topic from the beginning and does
// nothing with the batches. Run in its own process by phases/baseline.ts; prints one JSON line with its rate.
//   node test/bench/baseline.ts <brokers> <topic> <groupId> <messages> [consumer options as JSON]
import { Kafka, logLevel } from "kafkajs";

const [brokers = "localhost:9092", topic = "", groupId = "", expectedText = "0", optionsJson = "{}"] =
  process.argv.slice(2);
const expected = Number(expectedText);
const options = JSON.parse(optionsJson) as {
  partitionsConsumedConcurrently?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
};

const kafka = new Kafka({
  clientId: "vigil-bench-baseline",
  brokers: brokers.split(","),
  logLevel: logLevel.NOTHING,
});
const { partitionsConsumedConcurrently = 1, ...fetch } = options;
const consumer = kafka.consumer({ groupId, ...fetch });
let count = 0;
let first = 0;
let firstCount = 0;
let last = 0;
const done = new Promise<void>((resolve) => {
  void consumer.connect().then(async () => {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        if (first === 0) {
          first = now;
          firstCount = batch.messages.length;
        }
        count += batch.messages.length;
        last = now;
        if (count >= expected) resolve();
      },
    });
  });
});
const timeout = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ error: `only ${count} of ${expected} messages` })}\n`);
  process.exit(1);
}, 600_000);
await done;
clearTimeout(timeout);
const seconds = (last - first) / 1000;
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, rate: (count - firstCount) / seconds, cpuSeconds: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 })}\n`,
);
await consumer.disconnect();
process.exit(0);
