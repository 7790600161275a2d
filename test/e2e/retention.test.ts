import { sampleIps } from "@vigil/geo";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const home = sampleIps({ country: "FR", city: "Paris", count: 1, seed: 9 })[0] as string;
const abroad = sampleIps({ country: "JP", city: "Tokyo", count: 1, seed: 9 })[0] as string;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const SAFARI_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const login = (n: number, ip: string, at: string, userAgent = SAFARI_MAC) => ({
  id: `rita-${n}`,
  type: "login.succeeded" as const,
  occurredAt: at,
  userId: "rita",
  sessionId: `rita-s${n}`,
  ip,
  userAgent,
});

describe("retention in the running service", () => {
  let vigil: TestVigil;
  let db: pg.Client;
  beforeAll(async () => {
    vigil = await startVigil({ env: { IP_RETENTION_DAYS: "7" } });
    db = await vigil.database();
  });
  afterAll(async () => {
    await vigil?.stop();
  });

  it("removes raw IPs past the window, keeps hash and prefix, and detection keeps working", async () => {
    await produce(
      vigil.topics.activity,
      Array.from({ length: 6 }, (_, n) => login(n, home, daysAgo(20 - n * 2))),
    );
    const stored = async () =>
      (
        await db.query<{ ip: string | null; ip_hash: string; network: string }>(
          "select ip, ip_hash, network from events where user_id = 'rita'",
        )
      ).rows;
    await waitFor("rita's history stored", async () => ((await stored()).length === 6 ? true : undefined));
    expect((await stored()).every((row) => row.ip === home)).toBe(true);

    // Eight days pass for these rows; the retention job runs when the service starts.
    await db.query("update events set received_at = now() - interval '8 days' where user_id = 'rita'");
    await vigil.restart();
    await waitFor("raw IPs removed", async () =>
      (await stored()).every((row) => row.ip === null) ? true : undefined,
    );
    const rows = await stored();
    expect(rows.every((row) => row.ip_hash.length > 20 && row.network.endsWith(".0/24"))).toBe(true);
    const { rows: dump } = await db.query(
      "select state::text as state from user_states where user_id = 'rita'",
    );
    expect(JSON.stringify(dump)).not.toContain(home);

    // The profile never needed the addresses: a login from another continent on a device the
    // account never used is still new. (The usual device abroad reads as travel and is not flagged.)
    await produce(vigil.topics.activity, [login(99, abroad, daysAgo(0), CHROME_ANDROID)]);
    const analyst = await vigil.token("analyst", "flags:read");
    const flag = await waitFor("a flag for the login from Japan", async () => {
      const { body } = await vigil.get("/v1/flags?userId=rita", analyst);
      return body.items[0];
    });
    expect(flag.reasons.map((r: { code: string }) => r.code)).toContain("new_country");
  });

  it("forgets events past EVENTS_RETENTION_DAYS with their ids, and keeps the recent ones", async () => {
    const events = [login(200, home, daysAgo(1)), login(201, home, daysAgo(0))];
    await produce(vigil.topics.activity, events);
    const ids = async (table: string) =>
      (
        await db.query<{ id: string }>(
          `select id from ${table} where id in ('rita-200', 'rita-201') order by id`,
        )
      ).rows.map((row) => row.id);
    await waitFor("both stored", async () => ((await ids("events")).length === 2 ? true : undefined));
    // One of them arrived 100 days ago, as far as the store knows; the job runs when the service starts.
    await db.query("update events set received_at = now() - interval '100 days' where id = 'rita-200'");
    await db.query("update event_ids set received_at = now() - interval '100 days' where id = 'rita-200'");
    await vigil.restart();
    await waitFor("the old event forgotten", async () =>
      (await ids("events")).length === 1 ? true : undefined,
    );
    expect(await ids("events")).toEqual(["rita-201"]);
    expect(await ids("event_ids")).toEqual(["rita-201"]);
  });
});
