import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { killAllDetectors } from "./support/detector.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { committedActivity } from "./support/state.ts";
import { asMessages, producePaced, seededStream } from "./support/stream.ts";

describe("replicas joining and dying while the group consumes", () => {
  const brokers = testBrokers();
  const messages = asMessages(seededStream({ seed: 45, users: 200, days: 14 }));
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("ends as an uninterrupted run when a third replica joins and one is killed", async () => {
    const reference = await uninterruptedRun(brokers, messages);
    const current = await deployment(brokers);
    run = current;
    const committed = () => committedActivity(current.databaseUrl, current.topics);

    const [a, b] = await Promise.all([current.start(), current.start()]);
    if (!a || !b) throw new Error("replicas did not start");
    await Promise.all([a.ready(), b.ready()]);
    const producing = producePaced(brokers, current.topics.activity, messages, { chunk: 100, everyMs: 60 });

    // A replica joins mid-stream: the group rebalances while batches are in flight.
    await waitFor("a quarter committed", async () =>
      (await committed()) >= messages.length / 4 ? true : undefined,
    );
    const c = await current.start();
    await c.ready(90_000);
    const atJoin = await committed();

    // One of the first two dies without leaving the group; its partitions move once its session ends.
    await waitFor("more committed after the join", async () =>
      (await committed()) >= Math.min(messages.length, atJoin + messages.length / 8) ? true : undefined,
    );
    await a.kill9();
    const atKill = await committed();
    await producing;

    const state = await current.settle(180_000, () => `${b.output()}\n${c.output()}`);
    console.log(
      `${messages.length} events; replica joined at ${atJoin} committed, one killed at ${atKill}; ` +
        `${state.published.flagMessages - state.published.flagMessageIds} repeated flag messages, ` +
        `${state.published.noticeMessages - state.published.noticeCopies.size} repeated notice messages`,
    );
    expect(b.exit(), "replica b still running").toBeNull();
    expect(c.exit(), "replica c still running").toBeNull();
    expectSameFinalState(state, reference);
    await Promise.all([b.terminate(), c.terminate()]);
  }, 300_000);
});
