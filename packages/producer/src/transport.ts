import { type Kafka, Partitioners, type Producer } from "kafkajs";

export interface KeyedMessage {
  key: string;
  value: string;
}

/** The seam between batching and kafkajs, small enough to fake in unit tests. */
export interface Transport {
  sendBatch(topic: string, messages: KeyedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A kafkajs producer with the settings the detector relies on: idempotent (a retried request is
 * not written twice), one request in flight (retries cannot reorder a key's events), acks from
 * all in-sync replicas, and the Java-compatible partitioner so keys land where other clients put them.
 */
export function kafkaTransport(kafka: Kafka): Transport {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;

  // Connects on first use; a failed connect is retried by the next batch instead of sticking.
  function connect(): Promise<void> {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  }

  return {
    async sendBatch(topic, messages) {
      await connect();
      await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
    },
    async close() {
      if (connected === undefined) return;
      await connected.catch(() => {});
      await producer.disconnect();
    },
  };
}
