import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { coPartitionedPlan, producerStateLost } from "./kafka.ts";

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

describe("producerStateLost", () => {
  const protocol = (type: string, code: number) =>
    new KafkaJSProtocolError({ message: type, type, code, retriable: false } as never);

  it("recognises the broker's refusals of a producer's id, epoch or sequence, however wrapped", () => {
    const outOfOrder = protocol("OUT_OF_ORDER_SEQUENCE_NUMBER", 45);
    expect(producerStateLost(outOfOrder)).toBe(true);
    expect(
      producerStateLost(
        new KafkaJSNumberOfRetriesExceeded(outOfOrder, { retryCount: 5, retryTime: 1 } as never),
      ),
    ).toBe(true);
    expect(
      producerStateLost(new AggregateError([new Error("other"), protocol("UNKNOWN_PRODUCER_ID", 59)])),
    ).toBe(true);
    expect(producerStateLost(protocol("INVALID_PRODUCER_EPOCH", 47))).toBe(true);
  });

  it("leaves other failures to the ordinary retries", () => {
    expect(producerStateLost(protocol("NOT_LEADER_FOR_PARTITION", 6))).toBe(false);
    expect(producerStateLost(new KafkaJSConnectionError("Connection error: ECONNREFUSED"))).toBe(false);
    expect(producerStateLost(null)).toBe(false);
  });
});
