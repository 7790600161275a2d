// The service's connections to PostgreSQL: the API and the consumer each from a pool of their own.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startVigil({ env: { DATABASE_API_POOL_SIZE: "2", DATABASE_CONSUMER_POOL_SIZE: "3" } });
});
afterAll(() => vigil?.stop());

it("reads for the API and writes for the consumer through separate pools, each within its size", async () => {
  const analyst = await vigil.token("analyst", "flags:read");
  // Enough concurrent reads to want more connections than the API's pool has.
  const reads = await Promise.all(Array.from({ length: 12 }, () => vigil.get("/v1/flags?limit=5", analyst)));
  expect(reads.every((read) => read.status === 200)).toBe(true);
  const db = new pg.Client({ connectionString: vigil.config.DATABASE_URL });
  await db.connect();
  try {
    const pools = await waitFor("both pools connected", async () => {
      const result = await db.query<{ name: string; n: number }>(
        `select application_name as name, count(*)::int as n from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() group by 1 order by 1`,
      );
      const names = result.rows.map((row) => row.name);
      return names.includes("vigil-api") && names.includes("vigil-consumer") ? result.rows : undefined;
    });
    expect(pools.find((pool) => pool.name === "vigil-api")?.n).toBeLessThanOrEqual(2);
    expect(pools.find((pool) => pool.name === "vigil-consumer")?.n).toBeLessThanOrEqual(3);
  } finally {
    await db.end();
  }
});
