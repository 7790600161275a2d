import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { KeyPartitioner, keyPartitioner, murmur2 } from "./partitioning.ts";

// Kafka's own test vectors (clients' UtilsTest.testMurmur2): murmur2 of each key's bytes.
const vectors: [string, number][] = [
  ["21", -973932308],
  ["foobar", -790332482],
  ["a-little-bit-long-string", -985981536],
  ["a-little-bit-longer-string", -1486304829],
  ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
  ["abc", 479470107],
];

const metadata = (partitions: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));

describe("murmur2", () => {
  it("is the Java client's hash of the UTF-8 bytes", () => {
    for (const [key, hash] of vectors) {
      expect(murmur2(key), key).toBe(hash);
      expect(murmur2(Buffer.from(key)), key).toBe(hash);
    }
  });

  it("hashes every tail length and non-ASCII keys as kafkajs does", () => {
    const place = Partitioners.DefaultPartitioner();
    const keys = ["", "é", "ü1", "ñab", "user-😀-42", "x".repeat(300), `${"ß".repeat(200)}z`];
    for (let n = 0; n < 40; n++) keys.push(`user-${n * 7919}`);
    for (const key of keys) {
      const expected = place({
        topic: "t",
        partitionMetadata: metadata(4_099),
        message: { key, value: null },
      });
      expect((murmur2(key) & 0x7fffffff) % 4_099, key).toBe(expected);
    }
  });
});

describe("keyPartitioner", () => {
  it("places keys as the Java client does (murmur2 of the UTF-8 bytes, made positive, modulo the count)", () => {
    for (const partitions of [1, 6, 12, 97]) {
      const home = keyPartitioner(partitions);
      for (const [key, hash] of vectors)
        expect(home(key), `${key} of ${partitions}`).toBe((hash & 0x7fffffff) % partitions);
    }
  });
});

describe("KeyPartitioner", () => {
  it("keeps an explicit partition, hashes keys over all partitions, spreads keyless messages over led ones", () => {
    const place = KeyPartitioner();
    const partitionMetadata = metadata(6, [2]);
    expect(place({ topic: "t", partitionMetadata, message: { key: "21", value: null, partition: 4 } })).toBe(
      4,
    );
    for (const [key, hash] of vectors)
      expect(place({ topic: "t", partitionMetadata, message: { key, value: null } })).toBe(
        (hash & 0x7fffffff) % 6,
      );
    const keyless = new Set<number>();
    for (let i = 0; i < 20; i++)
      keyless.add(place({ topic: "t", partitionMetadata, message: { value: null } }));
    expect([...keyless].sort()).toEqual([0, 1, 3, 4, 5]);
  });
});
