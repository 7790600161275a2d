import type { ICustomPartitioner } from "kafkajs";

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** UTF-8 bytes of the key being hashed, reused: a key is hashed several times per event. */
let scratch = Buffer.allocUnsafeSlow(256);

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`) of a string's UTF-8 bytes, in 32-bit integer
 * arithmetic. kafkajs computes the same hash through 64-bit `Long` objects: an object per step,
 * for every message placed and every event routed to its account's partition.
 */
export function murmur2(key: string | Uint8Array): number {
  if (typeof key !== "string") return hash(key, key.length);
  if (key.length * 3 > scratch.length)
    scratch = Buffer.allocUnsafeSlow(Math.max(key.length * 3, scratch.length * 2));
  return hash(scratch, scratch.write(key));
}

function hash(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: murmur2 mixes the tail bytes in turn
    case 3:
      h ^= (data[whole + 2] as number) << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: as above
    case 2:
      h ^= (data[whole + 1] as number) << 8;
    case 1:
      h ^= data[whole] as number;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner gives a key among `partitions`: murmur2 of its UTF-8
 * bytes, as the Java client, kafkajs and Vigil's own producers place messages. Vigil's internal
 * topics are keyed by user and placed so; an account's home partition is where its key lands.
 */
export function keyPartitioner(partitions: number): (key: string) => number {
  return (key) => (murmur2(key) & 0x7fffffff) % partitions;
}

const keysOn = new Map<string, string>();

/**
 * A key the default partitioner places on `partition` of a topic of `partitions` (`clock-<n>`, the
 * first n that lands there): to address one partition through a path that only keys (the outbox).
 */
export function keyOnPartition(partitions: number, partition: number): string {
  const cached = keysOn.get(`${partitions}:${partition}`);
  if (cached !== undefined) return cached;
  const place = keyPartitioner(partitions);
  for (let n = 0; ; n++) {
    const key = `clock-${n}`;
    if (place(key) === partition) {
      keysOn.set(`${partitions}:${partition}`, key);
      return key;
    }
  }
}

/**
 * kafkajs' `DefaultPartitioner`, placing keyed messages with the hash above: an explicit partition
 * is kept, a key is hashed over all partitions, a message without key goes round robin over the
 * partitions that have a leader.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const next = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const { key } = message;
    if (key !== null && key !== undefined) {
      return (murmur2(key) & 0x7fffffff) % partitionMetadata.length;
    }
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const turn = (next.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    next.set(topic, turn);
    const pool = available.length > 0 ? available : partitionMetadata;
    return (pool[(turn & 0x7fffffff) % pool.length] as { partitionId: number }).partitionId;
  };
};
