// The live demo's feeder: produces a short, realistic stream (a small population with a takeover
// from abroad among it) to a running Vigil, shows progress while it is consumed, and ends with
// where to look. Run by scripts/demo.sh, which starts Kafka and the service first.
import { parseArgs } from "node:util";
import { eventKey, topicNames } from "@vigil/events";
import { Kafka, logLevel } from "kafkajs";
import { demoStory, demoVictim } from "./demoStory.ts";

const { values } = parseArgs({
  options: {
    api: { type: "string", default: "http://localhost:8080" },
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "localhost:9092" },
    users: { type: "string", default: "60" },
    days: { type: "string", default: "14" },
    seed: { type: "string", default: String(Date.now() % 100_000) },
  },
});
const token = process.env.DEMO_TOKEN ?? "";
const seed = Number(values.seed);

const victim = demoVictim(seed);
const events = demoStory({
  seed,
  users: Number(values.users),
  days: Number(values.days),
  endAt: Date.now() - 60_000,
});

const kafka = new Kafka({
  clientId: "vigil-demo",
  brokers: values.brokers.split(","),
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const topic = topicNames(process.env.KAFKA_TOPIC_PREFIX ?? "").activity;
for (let i = 0; i < events.length; i += 500) {
  const chunk = events.slice(i, i + 500);
  await producer.send({
    topic,
    acks: -1,
    messages: chunk.map((e) => ({ key: eventKey(e), value: JSON.stringify(e) })),
  });
  process.stdout.write(`\rdemo: sent ${Math.min(i + 500, events.length)}/${events.length} events`);
}
await producer.disconnect();
process.stdout.write("\n");

async function flagCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const response = await fetch(`${values.api}/v1/flags?limit=500${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await response.json()) as { items: { severity: string }[]; nextCursor: string | null };
    for (const flag of page.items) counts[flag.severity] = (counts[flag.severity] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

// Show flags as they are raised, until the victim's takeover has reached critical or 60 s pass.
const deadline = Date.now() + 60_000;
for (;;) {
  const counts = await flagCounts();
  const line = Object.entries(counts)
    .map(([severity, n]) => `${severity} ${n}`)
    .join(", ");
  process.stdout.write(`\rdemo: flags raised: ${line}   `);
  const critical = await fetch(`${values.api}/v1/flags?userId=${victim}&minSeverity=critical`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json() as Promise<{ items: unknown[] }>);
  if (critical.items.length > 0 || Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
process.stdout.write("\n");
const victimFlags = await fetch(`${values.api}/v1/flags?userId=${victim}`, {
  headers: { authorization: `Bearer ${token}` },
}).then(
  (r) =>
    r.json() as Promise<{ items: { severity: string; score: number; reasons: { message: string }[] }[] }>,
);
console.log(`demo: the takeover of ${victim}, as an analyst sees it:`);
for (const flag of victimFlags.items) {
  console.log(`  ${flag.severity} (score ${flag.score})`);
  for (const reason of flag.reasons) console.log(`    - ${reason.message}`);
}
console.log("  full flag:");
console.log(`  curl -s -H "Authorization: Bearer $TOKEN" '${values.api}/v1/flags?userId=${victim}'`);
