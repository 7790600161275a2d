import { describe, expect, it } from "vitest";
import { coPartitionedPlan } from "./assignor.ts";

describe("coPartitionedPlan", () => {
  const topics = new Map([
    ["activity", [0, 1, 2, 3, 4, 5]],
    ["verdicts", [0, 1, 2, 3, 4, 5]],
  ]);

  it("gives one member the same partition numbers of every topic", () => {
    const plan = coPartitionedPlan(["b", "a", "c"].sort(), topics);
    for (const assignment of plan.values()) expect(assignment.activity).toEqual(assignment.verdicts);
    expect(plan.get("a")).toEqual({ activity: [0, 3], verdicts: [0, 3] });
    expect(plan.get("c")).toEqual({ activity: [2, 5], verdicts: [2, 5] });
  });

  it("assigns every partition exactly once, with more members than partitions too", () => {
    const plan = coPartitionedPlan(["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"], topics);
    const owned = [...plan.values()].flatMap((a) => a.activity ?? []);
    expect(owned.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.get("m7")).toEqual({});
  });
});
