import { describe, expect, it } from "vitest";
import { slicesOf } from "./batchSlices.ts";

const message = (bytes: number, offset: number) => ({ offset, value: Buffer.alloc(bytes), key: null });

describe("slicesOf", () => {
  it("cuts a batch into slices of at most the bound, keeping the messages' order", () => {
    const batch = Array.from({ length: 10 }, (_, i) => message(100, i));
    const slices = [...slicesOf(batch, 350)];
    expect(slices.map((slice) => slice.map((m) => m.offset))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it("passes a message larger than the bound alone, and counts keys", () => {
    const batch = [
      message(10, 0),
      message(1000, 1),
      { offset: 2, value: Buffer.alloc(10), key: Buffer.alloc(95) },
    ];
    expect([...slicesOf(batch, 100)].map((slice) => slice.map((m) => m.offset))).toEqual([[0], [1], [2]]);
  });

  it("keeps a batch under the bound whole", () => {
    const batch = Array.from({ length: 5 }, (_, i) => message(10, i));
    expect([...slicesOf(batch, 1000)]).toHaveLength(1);
  });
});
