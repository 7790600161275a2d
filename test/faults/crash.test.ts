import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { waitFor } from "../support/wait.ts";
import { killAllDetectors } from "./support/detector.ts";
import { pause, seeded } from "./support/random.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { committedActivity, progress } from "./support/state.ts";
import { asMessages, producePaced, seededStream, slices } from "./support/stream.ts";

/** How many times the detector is killed; CI may lower it (FAULT_KILLS=2), 5 by default. */
const KILLS = Number(process.env.FAULT_KILLS ?? 5);
/** Seeds the kill points; a failure prints it so that the same points can be replayed. */
const SEED = Number(process.env.FAULT_SEED ?? 7_1128);
/** Each restart waits for the killed member's session to end: shorter than the 30 s default. */
const SESSION = { KAFKA_SESSION_TIMEOUT_SECONDS: "10" };

describe("kill -9 of the detector while it consumes", () => {
  const brokers = testBrokers();
  const messages = asMessages(seededStream({ seed: 42, users: 200, days: 14 }));
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it(
    `ends, after ${KILLS} kills at seeded random points and a restart, exactly as an uninterrupted run`,
    async () => {
      const reference = await uninterruptedRun(brokers, messages);
      const current = await deployment(brokers);
      run = current;
      const random = seeded(SEED);
      const parts = slices(messages, KILLS + 1);
      const kills: string[] = [];
      const began = Date.now();
      let produced = 0;
      for (let i = 0; i < KILLS; i++) {
        const part = parts[i] ?? [];
        const restarted = Date.now();
        const detector = await current.start(SESSION);
        // A restart after kill -9 waits for the group to drop the dead member (session timeout).
        await detector.ready(90_000);
        const readyAfter = ((Date.now() - restarted) / 1000).toFixed(1);
        const producing = producePaced(brokers, current.topics.activity, part);
        // The kill point: once the store has committed a seeded share of this slice, plus a seeded
        // delay so that it lands anywhere in a batch (reading, scoring, committing, publishing).
        const target = produced + Math.floor(part.length * (0.1 + 0.8 * random()));
        await waitFor(
          `${target} committed events`,
          async () =>
            (await committedActivity(current.databaseUrl, current.topics)) >= target ? true : undefined,
          60_000,
        );
        await pause(Math.floor(random() * 300));
        await detector.kill9();
        const after = await progress(current.databaseUrl);
        kills.push(
          `${((Date.now() - began) / 1000).toFixed(1)} s: kill ${i + 1}: pid ${detector.pid} (ready ${readyAfter} s after its start) at ≥${target} committed (then ${await committedActivity(current.databaseUrl, current.topics)}), outbox ${after.outbox}`,
        );
        await producing;
        produced += part.length;
      }
      const last = await current.start(SESSION);
      await producePaced(brokers, current.topics.activity, parts[KILLS] ?? []);
      await last.ready(90_000);
      const state = await current.settle(120_000, last.output);
      console.log(`seed ${SEED}, ${messages.length} events\n${kills.join("\n")}`);
      expect(last.exit(), "the last detector is still running").toBeNull();
      expectSameFinalState(state, reference);
      expect(state.flags.size, "the stream raises flags").toBeGreaterThan(0);
      expect(state.noticeIds.length, "the stream sends notices").toBeGreaterThan(0);
      await last.terminate();
    },
    120_000 + KILLS * 60_000,
  );
});
