// A topic deleted and made again (or a broker that came back without its data): its offsets start
// over, below those the store holds. What the new log holds is read, not skipped as already applied.
import type { AccountEventInput } from "@vigil/events";
import { sampleIps } from "@vigil/geo";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce, testKafka } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const home = sampleIps({ country: "DE", city: "Berlin", count: 1, seed: 3 })[0] as string;
const abroad = sampleIps({ country: "NG", city: "Lagos", count: 1, seed: 3 })[0] as string;
const user = "recreated-owner";
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const history: AccountEventInput[] = Array.from({ length: 6 }, (_, n) => ({
  id: `recreated-home-${n}`,
  type: "login.succeeded",
  occurredAt: minutesAgo(12 - n),
  userId: user,
  sessionId: `recreated-home-${n}`,
  ip: home,
  deviceId: "laptop-1",
}));
const takeover: AccountEventInput[] = [
  {
    id: "recreated-thief",
    type: "login.succeeded",
    occurredAt: minutesAgo(2),
    userId: user,
    sessionId: "thief",
    ip: abroad,
  },
  {
    id: "recreated-email",
    type: "settings.changed",
    occurredAt: minutesAgo(1),
    userId: user,
    sessionId: "thief",
    ip: abroad,
    setting: "email",
  },
];

describe("a topic made again, on the real broker and PostgreSQL", () => {
  let vigil: TestVigil;
  let db: pg.Client;
  beforeAll(async () => {
    vigil = await startVigil();
    db = await vigil.database();
  });
  afterAll(() => vigil?.stop());

  const stored = async (prefix: string) =>
    Number(
      (await db.query<{ n: string }>("select count(*) as n from events where id like $1", [`${prefix}%`]))
        .rows[0]?.n,
    );

  it("reads the new log from its start and flags what it holds", async () => {
    await produce(vigil.topics.activity, history);
    await waitFor("the history stored", async () =>
      (await stored("recreated-home-")) === 6 ? true : undefined,
    );

    // The broker comes back without the topic's data while the service is down (with it running,
    // its own metadata requests may have the broker create the topic again with its defaults).
    await vigil.restart(async () => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: [vigil.topics.activity] });
        // Deletion completes on the broker a moment after it is acknowledged: retried until made.
        await waitFor("the topic made again", async () =>
          (await admin.createTopics({ topics: [{ topic: vigil.topics.activity, numPartitions: 3 }] }))
            ? true
            : undefined,
        );
      } finally {
        await admin.disconnect();
      }
    });
    await produce(vigil.topics.activity, takeover);
    const analyst = await vigil.token("analyst-1", "flags:read");
    const flag = await waitFor(
      "the takeover flagged",
      async () => {
        const { body } = await vigil.get(`/v1/flags?userId=${user}&sessionId=thief`, analyst);
        const found = body.items?.[0] as { severity: string; reasons: { code: string }[] } | undefined;
        return found && ["high", "critical"].includes(found.severity) ? found : undefined;
      },
      60_000,
    );
    expect(flag.reasons.map((r) => r.code)).toContain("email_changed");
    expect(await stored("recreated-")).toBe(8);
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_partition_log_rewinds_total\{topic="[^"]+account-activity"\} [1-9]/m);
  });
});
