import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { describe, expect, it } from "vitest";
import { producerStateLost } from "./publisher.ts";

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
