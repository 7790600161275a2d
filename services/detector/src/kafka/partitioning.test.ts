import { describe, expect, it } from "vitest";
import { keyPartitioner } from "./partitioning.ts";

describe("keyPartitioner", () => {
  it("places keys as the Java client does (murmur2 of the UTF-8 bytes, made positive, modulo the count)", () => {
    // Kafka's own test vectors (clients' UtilsTest.testMurmur2): murmur2 of each key's bytes.
    const vectors: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const partitions of [1, 6, 12, 97]) {
      const home = keyPartitioner(partitions);
      for (const [key, hash] of vectors)
        expect(home(key), `${key} of ${partitions}`).toBe((hash & 0x7fffffff) % partitions);
    }
  });
});
