import { Partitioners, type PartitionMetadata } from "kafkajs";

/**
 * The partition Kafka's default partitioner gives a key among `partitions`: murmur2 of its UTF-8
 * bytes, as the Java client, kafkajs and Vigil's own producers place messages. Vigil's internal
 * topics are keyed by user and placed so; an account's home partition is where its key lands.
 */
export function keyPartitioner(partitions: number): (key: string) => number {
  const place = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return (key) => place({ topic: "", partitionMetadata, message: { key, value: null } });
}
