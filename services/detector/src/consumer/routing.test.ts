import { TOPICS } from "@vigil/events";
import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../kafka/types.ts";
import { AccountRouting, locksOf } from "./routing.ts";
import { TopicRoles } from "./topicRoles.ts";

const message = (value: string | null, key: string | null = null): InboundMessage => ({
  topic: "account-activity",
  partition: 0,
  offset: 0,
  key,
  value: value === null ? null : Buffer.from(value),
  headers: {},
});

describe("AccountRouting", () => {
  const routing = new AccountRouting(6);
  const usersOf = (partition: number) =>
    Array.from({ length: 200 }, (_, i) => `user-${i}`).filter((u) => routing.homeOf(u) === partition);

  it("names the other partitions whose accounts a batch holds, by the value's userId whatever the key", () => {
    const [own] = usersOf(0);
    const [two] = usersOf(2);
    const [five] = usersOf(5);
    const batch = [
      message(JSON.stringify({ userId: own }), own),
      // Keyed by something else (a session, nothing at all): the account in the value decides.
      message(JSON.stringify({ userId: five }), own),
      message(JSON.stringify({ userId: two })),
      message(JSON.stringify({ userId: five, type: "login.succeeded" })),
    ];
    expect(routing.elsewhere(0, batch)).toEqual([2, 5]);
    expect(routing.elsewhere(2, batch)).toEqual([0, 5]);
  });

  it("passes over what names no account: the planner refuses or skips it", () => {
    const batch = [
      message(null),
      message("not json"),
      message("[1,2]"),
      message(JSON.stringify({ userId: 7 })),
      message(JSON.stringify({ type: "login.failed", accountHint: "someone" })),
      message(JSON.stringify({ userId: "x".repeat(70_000) })),
    ];
    expect(routing.elsewhere(0, batch)).toEqual([]);
  });
});

describe("locksOf", () => {
  const routing = new AccountRouting(6);
  const roles = new TopicRoles(TOPICS);
  const userOf = (partition: number) =>
    Array.from({ length: 200 }, (_, i) => `user-${i}`).find((u) => routing.homeOf(u) === partition) as string;
  const batchOf = (topic: string, partition: number, userIds: string[]) => ({
    topic,
    partition,
    highWatermark: userIds.length,
    messages: userIds.map((userId, offset) => ({
      ...message(JSON.stringify({ userId }), userId),
      topic,
      partition,
      offset,
    })),
  });

  it("holds the lock of every account's own partition, the one its verdicts and feedback take", () => {
    const activity = batchOf(TOPICS.activity, 0, [userOf(0), userOf(4), userOf(1)]);
    const { locks, elsewhere } = locksOf(activity, roles, TOPICS.activity, routing);
    expect(elsewhere).toEqual([1, 4]);
    // The feedback about the account on partition 4 takes exactly one of these locks.
    const feedback = locksOf(batchOf(TOPICS.feedback, 4, [userOf(4)]), roles, TOPICS.activity, routing);
    const verdicts = locksOf(batchOf(TOPICS.verdicts, 1, [userOf(1)]), roles, TOPICS.activity, routing);
    expect(locks).toEqual([roles.lockOf(TOPICS.activity, 0), ...verdicts.locks, ...feedback.locks]);
  });

  it("holds only its own partition's lock when every event is on its account's partition", () => {
    const activity = batchOf(TOPICS.activity, 3, [userOf(3), userOf(3)]);
    expect(locksOf(activity, roles, TOPICS.activity, routing)).toEqual({
      locks: [roles.lockOf(TOPICS.activity, 3)],
      elsewhere: [],
    });
  });
});
