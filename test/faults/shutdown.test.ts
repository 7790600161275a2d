import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { killAllDetectors } from "./support/detector.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { committedActivity } from "./support/state.ts";
import { asMessages, producePaced, seededStream } from "./support/stream.ts";

/** The service's default bound on a graceful stop (SHUTDOWN_TIMEOUT_MS). */
const SHUTDOWN_BOUND_MS = 15_000;
/** A successor waits this long for a member that died without leaving (kafkajs' session timeout). */
const SESSION_TIMEOUT_MS = 30_000;

describe("SIGTERM while the detector consumes", () => {
  const brokers = testBrokers();
  const messages = asMessages(seededStream({ seed: 48, users: 100, days: 14 }));
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("stops cleanly within its bound, leaves the group at once, and loses nothing", async () => {
    const reference = await uninterruptedRun(brokers, messages);
    const current = await deployment(brokers);
    run = current;
    const first = await current.start();
    await first.ready();
    const producing = producePaced(brokers, current.topics.activity, messages);
    await waitFor("a third committed", async () =>
      (await committedActivity(current.databaseUrl, current.topics)) >= messages.length / 3
        ? true
        : undefined,
    );

    const asked = Date.now();
    const exit = await first.terminate();
    const stopped = Date.now() - asked;
    expect(exit, "a graceful stop exits 0").toEqual({ code: 0, signal: null });
    expect(stopped, "within SHUTDOWN_TIMEOUT_MS").toBeLessThan(SHUTDOWN_BOUND_MS);

    // It left its group: a successor is assigned without waiting for a session to expire.
    const restarted = Date.now();
    const second = await current.start();
    await second.ready(SESSION_TIMEOUT_MS - 5_000);
    const takeover = Date.now() - restarted;
    await producing;
    const state = await current.settle(120_000, second.output);
    console.log(`stopped in ${stopped} ms; successor ready in ${takeover} ms`);
    expectSameFinalState(state, reference);
    await second.terminate();
  }, 180_000);
});
