// What the rest of the service sees of Kafka: plain messages, batches and a publisher.

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface InboundBatch {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** The newest offset the broker has for this partition (for lag). */
  highWatermark: number;
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the partition was revoked or paused, or the consumer is stopping: abandon the batch. */
  isActive(): boolean;
  /** Stops fetching the partition after this batch, from its next unresolved offset; returns the resume. */
  pause(): () => void;
}

export interface OutboundMessage {
  topic: string;
  /** Set to address one partition; otherwise the key's hash picks it. */
  partition?: number | undefined;
  key: string;
  value: Uint8Array | string;
  headers?: Record<string, string> | undefined;
}

export interface Publisher {
  /** Publishes with acks from all in-sync replicas, in requests of a size the broker accepts. */
  send(messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}
