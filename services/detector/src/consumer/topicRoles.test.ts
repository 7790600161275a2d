import { topicNames } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { consumedTopics, TopicRoles, topicPlan } from "./topicRoles.ts";

const topics = topicNames("t-");

describe("topic roles", () => {
  it("creates every consumed topic, the user-keyed ones with the anchor's partitions", () => {
    const plan = topicPlan(topics);
    const created = [plan.anchor, ...plan.coPartitioned, ...plan.others];
    for (const topic of consumedTopics(topics)) expect(created).toContain(topic);
    expect(plan.anchor).toBe(topics.activity);
    expect(plan.coPartitioned.sort()).toEqual([topics.feedback, topics.verdicts].sort());
    expect(plan.others).toEqual(expect.arrayContaining([topics.flags, topics.notices]));
  });

  it("locks a partition's user-keyed topics together and the by-source topic apart", () => {
    const roles = new TopicRoles(topics);
    const locks = [topics.activity, topics.verdicts, topics.feedback].map((t) => roles.lockOf(t, 3));
    expect(new Set(locks).size).toBe(1);
    expect(roles.lockOf(topics.bySource, 3)).not.toBe(locks[0]);
  });

  it("refuses a topic it does not consume", () => {
    expect(() => new TopicRoles(topics).of(topics.flags)).toThrow();
  });
});
