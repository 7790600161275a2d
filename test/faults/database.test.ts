import { postgresProxy, type TcpProxy } from "@vigil/store/testing";
import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { killAllDetectors } from "./support/detector.ts";
import { pause } from "./support/random.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { committedActivity, withDatabase } from "./support/state.ts";
import { asMessages, producePaced, seededStream } from "./support/stream.ts";

/** How long PostgreSQL is unreachable (a deliberate outage, not a wait for anything). */
const OUTAGE_MS = Number(process.env.FAULT_DB_OUTAGE_MS ?? 20_000);

/** The /readyz status, or null when it does not answer within two seconds. */
async function readiness(url: string): Promise<number | null> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  await response?.body?.cancel();
  return response?.status ?? null;
}

/** A deployment whose detector reaches PostgreSQL through a proxy the test controls. */
async function behindProxy(brokers: string[]): Promise<{ run: Deployment; proxy: TcpProxy }> {
  const proxy = await postgresProxy();
  const run = await deployment(brokers, { detectorDatabase: proxy.through });
  return { run, proxy };
}

describe("PostgreSQL unreachable for a while mid-stream", () => {
  const brokers = testBrokers();
  const messages = asMessages(seededStream({ seed: 44, users: 150, days: 14 }));
  const runs: Deployment[] = [];
  const proxies: TcpProxy[] = [];
  let referenceRun: ReturnType<typeof uninterruptedRun> | undefined;
  const reference = () => {
    referenceRun ??= uninterruptedRun(brokers, messages);
    return referenceRun;
  };
  afterAll(async () => {
    await killAllDetectors();
    for (const proxy of proxies) await proxy.close();
    for (const run of runs) await run.dispose();
  });

  it(`loses nothing, dead-letters nothing and catches up after ${OUTAGE_MS / 1000} s without its database`, async () => {
    const expected = await reference();
    // The detector reaches the database through a proxy that the test can cut; the test itself
    // reads the database directly.
    const { run: current, proxy: cuttable } = await behindProxy(brokers);
    runs.push(current);
    proxies.push(cuttable);
    const direct = current.databaseUrl;

    const detector = await current.start();
    await detector.ready();
    const producing = producePaced(brokers, current.topics.activity, messages);
    const third = Math.floor(messages.length / 3);
    await waitFor("a third of the stream committed", async () =>
      (await committedActivity(direct, current.topics)) >= third ? true : undefined,
    );
    await cuttable.cut();
    const cutAt = Date.now();
    // A commit the proxy had already passed on may still land: read what the cut left once
    // PostgreSQL holds no session of the detector's any more.
    await waitFor("the detector's sessions gone from PostgreSQL", () =>
      withDatabase(direct, async (client) => {
        const sessions = await client.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
        );
        return sessions.rows[0]?.n === 0 ? true : undefined;
      }),
    );
    const atCut = await committedActivity(direct, current.topics);
    // Readiness reports the missing store; the process stays up and keeps its partitions.
    await waitFor("readiness to turn false", async () =>
      (await readiness(detector.url)) === 503 ? true : undefined,
    );
    await pause(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
    const duringOutage = await committedActivity(direct, current.topics);
    expect(detector.exit(), "the detector survives the outage").toBeNull();
    await cuttable.restore();
    await producing;

    const state = await current.settle(180_000, detector.output);
    const retries = await detector.metric("vigil_batch_retries_total");
    const deadLettered = await detector.metric("vigil_events_dead_lettered_total");
    console.log(
      `${messages.length} events; ${atCut} committed at the cut, ${duringOutage} when it ended; ` +
        `${retries} batch retries; ${deadLettered} dead-lettered`,
    );
    expect(duringOutage, "nothing commits without the database").toBe(atCut);
    expect(retries, "batches were retried, not skipped").toBeGreaterThan(0);
    expect(deadLettered, "nothing dead-lettered").toBe(0);
    expect(state.published.deadLetters, "nothing on the dead-letter topic").toBe(0);
    expect(detector.exit(), "the same process ran throughout").toBeNull();
    expect(await readiness(detector.url)).toBe(200);
    expectSameFinalState(state, expected);
    await detector.terminate();
  }, 300_000);

  it("gives up a database that stops answering without closing, and catches up once it answers", async () => {
    const expected = await reference();
    const { run: current, proxy: network } = await behindProxy(brokers);
    runs.push(current);
    proxies.push(network);
    // Statements unanswered 3 + 5 s are given up on the client (the server's own timeout cannot
    // reach it): a shorter wait than the default 65 s, the same path.
    const detector = await current.start({ DATABASE_CONSUMER_STATEMENT_TIMEOUT_MS: "3000" });
    await detector.ready();
    const producing = producePaced(brokers, current.topics.activity, messages);
    const third = Math.floor(messages.length / 3);
    await waitFor("a third of the stream committed", async () =>
      (await committedActivity(current.databaseUrl, current.topics)) >= third ? true : undefined,
    );
    network.silence();
    await pause(OUTAGE_MS / 2);
    await network.restore();
    await producing;

    // Without client timeouts, a batch waiting on a silenced connection would wait for TCP to give
    // it up (many minutes), and this would time out.
    const state = await current.settle(180_000, detector.output);
    console.log(`silent database: ${await detector.metric("vigil_batch_retries_total")} batch retries`);
    expect(await detector.metric("vigil_events_dead_lettered_total"), "nothing dead-lettered").toBe(0);
    expect(detector.exit(), "the same process ran throughout").toBeNull();
    expectSameFinalState(state, expected);
    await detector.terminate();
  }, 300_000);
});
