// The durable floor: the least any consumer with durable effects must do. A kafkajs consumer group
// member that stores every event of a batch in PostgreSQL in one transaction (primary key on the
// event id, one index by user and time), then commits the batch's offsets, and does nothing else.
// It fetches with Vigil's settings and as many partitions at once as Vigil's default. Run in its own
// process by phases/floor.ts; prints one JSON line with its rate.
//   node test/bench/floor.ts <brokers> <topic> <groupId> <messages> <database url> <concurrency>
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { FETCH } from "../../services/detector/src/kafka/groupConsumer.ts";

const [
  brokers = "localhost:9092",
  topic = "",
  groupId = "",
  expectedText = "0",
  url = "",
  concurrencyText = "2",
] = process.argv.slice(2);
const expected = Number(expectedText);
const concurrency = Number(concurrencyText);

const pool = new pg.Pool({ connectionString: url, max: concurrency, application_name: "vigil-bench-floor" });
await pool.query(`
  create table if not exists floor_events (
    id text primary key,
    user_id text not null,
    occurred_at timestamptz not null,
    event json not null
  );
  create index if not exists floor_events_user_time on floor_events (user_id, occurred_at);`);

/** One transaction for the batch's events; a repeated id (redelivery) is stored once. */
async function store(values: Buffer[]): Promise<void> {
  const ids: string[] = [];
  const users: string[] = [];
  const times: string[] = [];
  const bodies: string[] = [];
  for (const value of values) {
    const text = value.toString("utf8");
    const event = JSON.parse(text) as { id: string; userId?: string; occurredAt: string };
    ids.push(event.id);
    users.push(event.userId ?? "");
    times.push(event.occurredAt);
    bodies.push(text);
  }
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query(
      `insert into floor_events (id, user_id, occurred_at, event)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::json[])
       on conflict (id) do nothing`,
      [ids, users, times, bodies],
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const kafka = new Kafka({
  clientId: "vigil-bench-floor",
  brokers: brokers.split(","),
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId, ...FETCH });
let count = 0;
let first = 0;
let firstCount = 0;
let last = 0;
const done = new Promise<void>((resolve, reject) => {
  void consumer
    .connect()
    .then(async () => {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: async ({ batch }) => {
          const values = batch.messages.flatMap((m) => (m.value ? [m.value] : []));
          await store(values);
          await consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: String(Number(batch.lastOffset()) + 1),
            },
          ]);
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
    })
    .catch(reject);
});
const timeout = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ error: `only ${count} of ${expected} messages` })}\n`);
  process.exit(1);
}, 1_800_000);
await done;
clearTimeout(timeout);
const seconds = (last - first) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ messages: count, seconds, rate: (count - firstCount) / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);
await consumer.disconnect();
await pool.end();
process.exit(0);
