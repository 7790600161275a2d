import { DLQ_HEADERS } from "@vigil/events";
import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { killAllDetectors } from "./support/detector.ts";
import { FUZZ_ID, fuzzMessages, interleave } from "./support/fuzz.ts";
import { seeded } from "./support/random.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { MESSAGE_ID_HEADER, readAll } from "./support/state.ts";
import { asMessages, produceAll, seededStream } from "./support/stream.ts";

/** How many malformed messages are mixed in (10,000 by default). */
const COUNT = Number(process.env.FAULT_FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.FAULT_SEED ?? 7_1128);
/** Consecutive oversized messages on one key: together far more than one produce request may hold. */
const BURST = 40;

describe(`${COUNT} fuzzed malformed messages mixed into a valid stream`, () => {
  const brokers = testBrokers();
  const valid = seededStream({ seed: 46, users: 150, days: 14 });
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("dead-letters each one with its reason, processes every valid event and never restarts", async () => {
    const random = seeded(SEED);
    const fuzz = fuzzMessages(random, COUNT, valid, { burst: BURST, now: Date.now() });
    const mixed = interleave(
      random,
      asMessages(valid),
      fuzz.filter((m) => !m.burst),
    );
    mixed.splice(Math.floor(mixed.length / 2), 0, ...fuzz.filter((m) => m.burst));
    const reference = await uninterruptedRun(brokers, asMessages(valid));

    const current = await deployment(brokers);
    run = current;
    const detector = await current.start();
    await detector.ready();
    await produceAll(brokers, current.topics.activity, mixed);
    const state = await current.settle(120_000, detector.output);

    // Every malformed message is on the dead-letter topic once (repeats dropped by message id),
    // with its reason, its origin and its original bytes; unknown types are only counted.
    const dead = new Map<
      string,
      { reason?: string; topic?: string; offset?: string; value: Buffer | null }
    >();
    const seen = new Set<string>();
    for (const message of await readAll(brokers, current.topics.deadLetter)) {
      const messageId = message.headers[MESSAGE_ID_HEADER] ?? "";
      if (seen.has(messageId)) continue;
      seen.add(messageId);
      const fuzzId = message.headers[FUZZ_ID] ?? `(no ${FUZZ_ID})`;
      expect(dead.has(fuzzId), `fuzz message ${fuzzId} dead-lettered twice under different ids`).toBe(false);
      dead.set(fuzzId, {
        reason: message.headers[DLQ_HEADERS.reason],
        topic: message.headers[DLQ_HEADERS.sourceTopic],
        offset: message.headers[DLQ_HEADERS.sourceOffset],
        value: message.value,
      });
    }
    const wrong: string[] = [];
    const byReason = new Map<string, number>();
    for (const [index, message] of fuzz.entries()) {
      const id = String(index);
      byReason.set(message.expected, (byReason.get(message.expected) ?? 0) + 1);
      const letter = dead.get(id);
      if (message.expected === "skipped") {
        if (letter) wrong.push(`${id} (${message.kind}) is an unknown type but was dead-lettered`);
        continue;
      }
      if (!letter) {
        wrong.push(`${id} (${message.kind}) is missing from the dead-letter topic`);
        continue;
      }
      if (letter.reason !== message.expected)
        wrong.push(`${id} (${message.kind}) dead-lettered as ${letter.reason}, expected ${message.expected}`);
      if (letter.topic !== current.topics.activity || !/^\d+$/.test(letter.offset ?? ""))
        wrong.push(`${id} (${message.kind}) lacks its origin headers`);
      const original = message.value === null ? null : Buffer.from(message.value);
      const kept = letter.value === null || letter.value.length === 0 ? null : letter.value;
      if ((original === null) !== (kept === null) || (original && kept && !original.equals(kept)))
        wrong.push(`${id} (${message.kind}) lost its original bytes`);
    }
    const unknown = byReason.get("skipped") ?? 0;
    console.log(`${valid.length} valid events, ${fuzz.length} malformed: ${JSON.stringify([...byReason])}`);
    expect(wrong.slice(0, 20), `${wrong.length} malformed messages mishandled`).toEqual([]);
    expect(dead.size, "dead letters: every malformed message but the unknown types").toBe(
      fuzz.length - unknown,
    );
    expect(await detector.metric("vigil_events_skipped_total", { reason: "unknown_type" })).toBe(unknown);
    expect(await detector.metric("vigil_events_dead_lettered_total")).toBe(fuzz.length - unknown);
    expect(await detector.metric("vigil_events_consumed_total"), "every valid event processed").toBe(
      valid.length,
    );

    // The valid stream ended exactly as it does without the noise, in the same process.
    expect(detector.exit(), "the detector never exited").toBeNull();
    expectSameFinalState(state, reference, { sameInput: false });
    await detector.terminate();
  }, 360_000);
});
