// A stream that stops on a campaign: a replay dumped and then read, or a test's traffic whose last
// events are a password spray. Nothing newer comes to move the partitions' watermarks past the
// spray's buckets; once every partition is idle, they are judged all the same.
import { sampleIps } from "@vigil/geo";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const attacker = sampleIps({ country: "NL", city: "Amsterdam", count: 1, seed: 9 })[0] as string;
const ACCOUNTS = 25;
const started = Date.now();
// The stream's last events, an hour ago: one account a second, every one failing.
const spray = Array.from({ length: ACCOUNTS }, (_, n) => ({
  id: `end-spray-${n}`,
  type: "login.failed" as const,
  occurredAt: new Date(started - 60 * 60_000 + n * 1000).toISOString(),
  userId: `end-victim-${n}`,
  ip: attacker,
  reason: "bad_password" as const,
}));

describe("the end of a stream, on the real broker and PostgreSQL", () => {
  let vigil: TestVigil;
  let db: pg.Client;
  beforeAll(async () => {
    // Quiet partitions say so after 2 s instead of 30 (startVigil).
    vigil = await startVigil();
    db = await vigil.database();
  });
  afterAll(async () => {
    await vigil?.stop();
  });

  it("judges the spray its last events are, with nothing after them", async () => {
    await produce(vigil.topics.activity, spray);
    const flags = await waitFor("the spray's targets told", async () => {
      const result = await db.query<{ user_id: string; reasons: { code: string }[] }>(
        "select user_id, reasons from flags where user_id like 'end-victim-%'",
      );
      return result.rows.length === ACCOUNTS ? result.rows : undefined;
    });
    for (const flag of flags) expect(flag.reasons.map((reason) => reason.code)).toContain("password_spray");
  });
});
