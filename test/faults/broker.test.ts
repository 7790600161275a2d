import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { ownBroker } from "./support/broker.ts";
import { killAllDetectors } from "./support/detector.ts";
import { pause } from "./support/random.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { committedActivity } from "./support/state.ts";
import { asMessages, openProducer, seededStream } from "./support/stream.ts";

/** How long the broker stays down (a deliberate outage, not a wait for anything). */
const OUTAGE_MS = Number(process.env.FAULT_BROKER_OUTAGE_MS ?? 10_000);

describe("the Kafka broker stopped and restarted mid-stream", () => {
  const broker = ownBroker();
  const messages = asMessages(seededStream({ seed: 43, users: 150, days: 14 }));
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
    await broker.stop();
  });

  it("recovers by itself and ends as an uninterrupted run", async () => {
    const reference = await uninterruptedRun(testBrokers(), messages);
    await broker.start({ fresh: true });
    const current = await deployment(broker.brokers);
    run = current;
    const detector = await current.start();
    await detector.ready();

    // Produce a third of the stream at a pace the detector keeps up with, then a burst, and take
    // the broker away while the detector is busy with the burst: fetches, commits to Kafka and
    // outbox publishing fail mid-batch.
    const third = Math.floor(messages.length / 3);
    const half = Math.floor(messages.length / 2);
    const producer = await openProducer(broker.brokers);
    for (let start = 0; start < third; start += 100) {
      await producer.send(current.topics.activity, messages.slice(start, Math.min(start + 100, third)));
      await pause(50);
    }
    await producer.send(current.topics.activity, messages.slice(third, half));
    await producer.close();
    const before = await committedActivity(current.databaseUrl, current.topics);
    await broker.stop();
    await pause(OUTAGE_MS);
    expect(detector.exit(), "the detector survives the outage").toBeNull();
    await broker.start();

    // Nobody restarts the detector: it must reconnect, rejoin its group and go on by itself.
    await waitFor(
      "the detector ready again",
      async () => {
        const response = await fetch(`${detector.url}/readyz`).catch(() => null);
        await response?.body?.cancel();
        return response?.status === 200 ? true : undefined;
      },
      120_000,
    );
    const rest = await openProducer(broker.brokers);
    await rest.send(current.topics.activity, messages.slice(half));
    await rest.close();
    const state = await current.settle(180_000, detector.output);
    console.log(
      `${messages.length} events; ${before} of the first ${half} committed when the broker stopped; ` +
        `${await detector.metric("vigil_batch_retries_total")} batch retries`,
    );
    expect(detector.exit(), "the same process ran throughout").toBeNull();
    expectSameFinalState(state, reference);
    await detector.terminate();
  }, 420_000);
});
