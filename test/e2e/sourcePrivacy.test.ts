// What Vigil publishes about sources, and how long the broker keeps it: the by-source topic carries
// the network prefix and the keyed hash, never the address, and spray detection works from that;
// every topic Vigil creates has the retention.ms it was configured with.
import { asnOf, sampleIps } from "@vigil/geo";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MARK_KEY } from "../../services/detector/src/messages.ts";
import { produce, readTopic, testKafka } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const attacker = sampleIps({ country: "NL", city: "Amsterdam", count: 1, seed: 4 })[0] as string;
const AGENT = "Mozilla/5.0 (X11; Linux x86_64) spray-tool/9.9";
const ACCOUNTS = 25;
const started = Date.now();
// Half an hour ago, one account a second; then, once they are re-keyed, one more try now, whose
// event time moves its partition's watermark past their buckets (sources are judged once every
// activity partition's watermark has passed a bucket; the quiet ones say they are idle).
const failures = Array.from({ length: ACCOUNTS + 1 }, (_, n) => ({
  id: `spray-${n}`,
  type: "login.failed" as const,
  occurredAt: new Date(n < ACCOUNTS ? started - 30 * 60_000 + n * 1000 : started).toISOString(),
  userId: `victim-${n % ACCOUNTS}`,
  ip: attacker,
  userAgent: AGENT,
  reason: "bad_password" as const,
}));
/** Each login is re-keyed twice: by its network, and by its autonomous system. */
const COPIES = asnOf(attacker) === null ? 1 : 2;

describe("the by-source topic and topic retention, on the real broker and PostgreSQL", () => {
  let vigil: TestVigil;
  let db: pg.Client;
  beforeAll(async () => {
    // Quiet partitions say so after 2 s (startVigil), so that the spray's buckets are judged without waiting.
    vigil = await startVigil({
      env: { KAFKA_INTERNAL_RETENTION_HOURS: "5", KAFKA_DLQ_RETENTION_HOURS: "240" },
    });
    db = await vigil.database();
  });
  afterAll(async () => {
    await vigil?.stop();
  });

  it("re-keys logins with the network prefix and keyed hash, never the address, and still finds the spray", async () => {
    const spray = failures.slice(0, ACCOUNTS);
    await produce(vigil.topics.activity, spray);
    await readTopic(vigil.topics.bySource, (read) => read.length >= spray.length * COPIES);
    await produce(vigil.topics.activity, failures.slice(ACCOUNTS));
    const read = await readTopic(
      vigil.topics.bySource,
      (read) => read.filter((message) => message.key !== MARK_KEY).length >= failures.length * COPIES,
    );
    // The activity partitions' watermarks travel on the same topic: event times, nothing about anyone.
    const marks = read.filter((message) => message.key === MARK_KEY);
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) {
      expect(Object.keys(JSON.parse(String(mark.value)).watermark).sort()).toEqual(
        expect.arrayContaining(["at", "partition", "partitions"]),
      );
    }
    const messages = read.filter((message) => message.key !== MARK_KEY);
    const stored = await db.query<{ ip_hash: string; network: string }>(
      "select distinct ip_hash, network from events where id like 'spray-%'",
    );
    expect(stored.rows).toHaveLength(1);
    const { ip_hash: ipHash, network } = stored.rows[0] as { ip_hash: string; network: string };
    for (const message of messages) {
      const bytes = `${message.key} ${String(message.value)} ${JSON.stringify(message.headers)}`;
      expect(bytes).not.toContain(attacker);
      expect(bytes).not.toContain("spray-tool");
      // Each login twice: by its network, and by its autonomous system (rotation inside one provider).
      expect(message.key === network || /^AS\d+$/.test(String(message.key))).toBe(true);
      expect(JSON.parse(String(message.value))).toMatchObject({ type: "login.failed", network, ipHash });
    }
    expect(messages.filter((message) => message.key === network)).toHaveLength(failures.length);
    expect(network).toMatch(/\.0\/24$/);

    // The per-source stage reads those messages and sees a spray: one network, 25 accounts, all failing.
    const source = await waitFor("the source's spray", async () => {
      const result = await db.query<{ state: { notifiedCount: number; hot: { code: string } | null } }>(
        "select state from source_states where network = $1",
        [network],
      );
      const state = result.rows[0]?.state;
      return state?.hot ? state : undefined;
    });
    expect(source.hot?.code).toBe("password_spray");
    expect(source.notifiedCount).toBe(ACCOUNTS);
    expect(JSON.stringify(source)).not.toContain(attacker);
  });

  it("creates every topic with the retention.ms it was configured with", async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const topics = vigil.topics;
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: Object.values(topics).map((name) => ({ type: 2, name, configNames: ["retention.ms"] })),
      });
      const retention = Object.fromEntries(
        resources.map((r) => [r.resourceName, Number(r.configEntries[0]?.configValue) / 3_600_000]),
      );
      expect(retention).toEqual({
        [topics.activity]: 7 * 24,
        [topics.flags]: 7 * 24,
        [topics.notices]: 7 * 24,
        [topics.bySource]: 5,
        [topics.verdicts]: 5,
        [topics.feedback]: 5,
        [topics.deadLetter]: 240,
      });
    } finally {
      await admin.disconnect();
    }
  });
});
