import { writeFileSync } from "node:fs";
import type { Topics } from "@vigil/events";
import { temporaryDatabase } from "@vigil/store/testing";
import { expect } from "vitest";
import { isolatedTopics } from "../../support/kafka.ts";
import { type DetectorProcess, type DetectorSettings, killAllDetectors, startDetector } from "./detector.ts";
import { differingProfiles, entries, type FinalState, finalState, waitSettled } from "./state.ts";
import { type Outgoing, produceAll } from "./stream.ts";

/** One isolated deployment: its own topics (by prefix), consumer group and database. */
export interface Deployment {
  brokers: string[];
  prefix: string;
  topics: Topics;
  groupId: string;
  databaseUrl: string;
  /** Starts one more detector process of this deployment. */
  start(env?: Record<string, string>): Promise<DetectorProcess>;
  /** Waits for everything to be consumed and published, then reads the final state. */
  settle(timeoutMs?: number, describe?: () => string): Promise<FinalState>;
  /** Kills what is left of its processes and drops its database. */
  dispose(): Promise<void>;
}

/**
 * `detectorDatabase` rewrites the database URL the detectors get (e.g. to go through a proxy); the
 * test itself always reads the database directly.
 */
export async function deployment(
  brokers: string[],
  options: { detectorDatabase?: (url: string) => string } = {},
): Promise<Deployment> {
  const { prefix, topics } = isolatedTopics();
  const database = await temporaryDatabase();
  const url = database.url;
  const groupId = `${prefix}vigil`;
  const settings: DetectorSettings = {
    brokers,
    prefix,
    groupId,
    databaseUrl: options.detectorDatabase?.(url) ?? url,
  };
  return {
    brokers,
    prefix,
    topics,
    groupId,
    databaseUrl: url,
    start: (env) => startDetector({ ...settings, ...(env ? { env } : {}) }),
    async settle(timeoutMs, describe) {
      await waitSettled(url, brokers, topics, timeoutMs, describe);
      return finalState(url, brokers, prefix);
    },
    async dispose() {
      await killAllDetectors();
      await database.drop();
    },
  };
}

/**
 * The state an uninterrupted run of `messages` ends in: one detector, all messages produced at
 * once, nothing disturbed. Runs on its own topics, group and database, which it drops afterwards.
 */
export async function uninterruptedRun(brokers: string[], messages: Outgoing[]): Promise<FinalState> {
  const reference = await deployment(brokers);
  try {
    const detector = await reference.start();
    await detector.ready();
    await produceAll(brokers, reference.topics.activity, messages);
    const state = await reference.settle(120_000, detector.output);
    await detector.terminate();
    return state;
  } finally {
    await reference.dispose();
  }
}

/**
 * The run ended as an undisturbed one would have: the same flags (content, not wall times), the
 * same notices, the same profiles, the same accepted events and offsets; and what it published,
 * once repeats are dropped by message id, is each flag's final version and each notice once.
 */
export function expectSameFinalState(
  actual: FinalState,
  reference: FinalState,
  /** False when the run read more messages than the reference (e.g. malformed ones mixed in). */
  options: { sameInput: boolean } = { sameInput: true },
): void {
  const dump = process.env.FAULT_DUMP_DIR;
  if (dump) {
    // Both final states as JSON, to compare with a tool when they differ.
    const json = (state: FinalState) =>
      JSON.stringify(state, (_, value) => (value instanceof Map ? Object.fromEntries(value) : value), 2);
    writeFileSync(`${dump}/actual.json`, json(actual));
    writeFileSync(`${dump}/reference.json`, json(reference));
  }
  expect(actual.outbox, "outbox drained").toBe(0);
  expect(actual.eventIds, "accepted events").toBe(reference.eventIds);
  if (options.sameInput) {
    expect(entries(actual.activityOffsets), "stored offsets of account-activity").toEqual(
      entries(reference.activityOffsets),
    );
    expect(actual.published.deadLetters, "dead letters").toBe(reference.published.deadLetters);
  }
  // Every flag compared, those a cross-account verdict reached included: an account catching up
  // waits for the verdicts it may still receive (verdictGate.ts), whatever the delivery.
  console.log(
    `final state: ${reference.flags.size} flags, ${crossAccount(reference)} with a cross-account reason`,
  );
  expect(entries(actual.flags), "flags in the store").toEqual(entries(reference.flags));
  expect(actual.noticeIds, "notices in the store").toEqual(reference.noticeIds);
  const differing = differingProfiles(actual, reference);
  const first = differing[0];
  expect(
    differing,
    first === undefined
      ? "profiles"
      : `profiles differ for ${differing.length} users; first ${first}:\n  got      ${actual.userStates.get(first)}\n  expected ${reference.userStates.get(first)}`,
  ).toEqual([]);
  expect(actual.userStates.size, "profiles").toBe(reference.userStates.size);

  // account-flags: every flag published, its newest version equal to the stored one.
  expect(entries(actual.published.latestFlags), "newest published version of each flag").toEqual(
    entries(actual.flags),
  );
  // account-security-notices: each notice exactly once once repeats are dropped by message id.
  expect(
    entries(actual.published.noticeCopies),
    "published notices, by id, after dropping repeated message ids",
  ).toEqual(actual.noticeIds.map((id) => [id, 1]));
}

/** Flags carrying a spray or stuffing reason. */
function crossAccount(state: FinalState): number {
  return [...state.flags.values()].filter((flag) => /password_spray|credential_stuffing/.test(flag.reasons))
    .length;
}
