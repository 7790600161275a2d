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
  // Every flag compared, cross-account ones included, but for one kind: a session flag a spray or
  // stuffing verdict reached. Whether the verdict found the session depends on how far the account's
  // own stream had run ahead of the by-source stage (days, when a run catches up on days of events in
  // seconds), which decides whether the account still held it (docs/guarantees.md, "Known gaps").
  const lateJoins = new Set([...joinedSessionFlags(actual), ...joinedSessionFlags(reference)]);
  const compared = (state: FinalState) => entries(state.flags).filter(([id]) => !lateJoins.has(id));
  expect(compared(actual), "flags in the store").toEqual(compared(reference));
  // The figure the note on this exception reports (docs/guarantees.md, "Known gaps").
  console.log(
    `final state: ${reference.flags.size} flags, ${lateJoins.size} of them session flags a cross-account verdict reached (not compared)`,
  );
  expect(lateJoins.size, "session flags a cross-account verdict reached").toBeLessThanOrEqual(
    Math.max(3, Math.ceil(reference.flags.size * 0.02)),
  );
  const notices = (state: FinalState) =>
    state.noticeIds.filter((id) => !lateJoins.has(state.noticeFlags.get(id) ?? ""));
  expect(notices(actual), "notices in the store").toEqual(notices(reference));

  const joinedUsers = new Set(
    [...lateJoins].map((id) => (actual.flags.get(id) ?? reference.flags.get(id))?.userId),
  );
  const differing = differingProfiles(actual, reference).filter((user) => !joinedUsers.has(user));
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

/** Ids of the session flags carrying a spray or stuffing reason. */
function joinedSessionFlags(state: FinalState): string[] {
  return [...state.flags]
    .filter(([, flag]) => flag.sessionId !== null && /password_spray|credential_stuffing/.test(flag.reasons))
    .map(([id]) => id);
}
