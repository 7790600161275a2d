import type { KafkaMessage } from "kafkajs";
import type { InboundMessage } from "./types.ts";

/** A consumed message; key and headers are decoded only when asked for (dead letters), not per event. */
export class Inbound implements InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Buffer | null;
  readonly #message: KafkaMessage;

  constructor(topic: string, partition: number, message: KafkaMessage) {
    this.topic = topic;
    this.partition = partition;
    this.offset = Number(message.offset);
    this.value = message.value;
    this.#message = message;
  }

  get key(): string | null {
    return this.#message.key?.toString("utf8") ?? null;
  }

  get headers(): Record<string, string> {
    return headersOf(this.#message.headers);
  }
}

function headersOf(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = String(value);
  }
  return result;
}
