import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { killAllDetectors } from "./support/detector.ts";
import { type Deployment, deployment } from "./support/run.ts";
import { asMessages, produceAll, seededStream } from "./support/stream.ts";

/**
 * A partition that cannot commit (here: the events table locked by someone else, so every batch
 * waits) must be visible to an operator: /readyz answers 503 naming it, the gauge shows it, and
 * both clear once it commits again.
 */
describe("a partition that cannot commit", () => {
  const brokers = testBrokers();
  const messages = asMessages(seededStream({ seed: 13, users: 20, days: 2 }));
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("turns readiness false naming the stalled partitions, and true again once they commit", async () => {
    const current = await deployment(brokers);
    run = current;
    const detector = await current.start({ PARTITION_STALL_SECONDS: "2" });
    await detector.ready();

    const locker = new pg.Client({ connectionString: current.databaseUrl });
    await locker.connect();
    await locker.query("begin");
    await locker.query("lock table events in access exclusive mode");
    await produceAll(brokers, current.topics.activity, messages);

    const stalled = await waitFor(
      "readiness to name a stalled partition",
      async () => {
        const response = await fetch(`${detector.url}/readyz`);
        const body = (await response.json()) as { checks: Record<string, boolean>; stalled?: string[] };
        return response.status === 503 && body.stalled?.length ? body : undefined;
      },
      60_000,
    );
    expect(stalled.checks.partitions).toBe(false);
    for (const name of stalled.stalled ?? [])
      expect(name).toMatch(new RegExp(`^${current.topics.activity}:\\d+$`));
    expect(await detector.metric("vigil_partition_stalled_seconds")).toBeGreaterThan(2);

    await locker.query("rollback");
    await locker.end();
    await current.settle(120_000, detector.output);
    const response = await fetch(`${detector.url}/readyz`);
    expect(response.status, await response.text()).toBe(200);
    expect(await detector.metric("vigil_partition_stalled_seconds")).toBe(0);
    await detector.terminate();
  }, 240_000);
});
