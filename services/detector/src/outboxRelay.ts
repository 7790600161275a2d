import { drainOutbox, type Sql } from "@vigil/store";
import { MESSAGE_ID_HEADER } from "./consumer/messages.ts";
import type { OutboundMessage, Publisher } from "./kafka.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";

const BATCH = 500;
const POLL_MS = 1000;
/**
 * Bytes per produce request. The broker refuses a partition's record batch over the topic's
 * max.message.bytes (1 MiB by default) and a refused request would be retried for ever, so a drain
 * of many large messages (dead letters of oversized input) goes out in several requests.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages, in order, into runs of at most `limit` bytes; a larger message goes alone. */
export function bySize(messages: OutboundMessage[], limit: number): OutboundMessage[][] {
  const chunks: OutboundMessage[][] = [];
  let chunk: OutboundMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    let size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + 64;
    for (const [name, value] of Object.entries(message.headers ?? {}))
      size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
    if (chunk.length > 0 && bytes + size > limit) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Publishes committed outbox messages, oldest first, at least once; each carries its stable
 * message id so consumers can drop a re-delivery after a crash between publish and delete.
 */
export function startOutboxRelay(options: { sql: Sql; publisher: Publisher; log: Logger; metrics: Metrics }) {
  const { sql, publisher, log, metrics } = options;
  let running = true;
  let pending = false;
  let interrupt: () => void = () => {};
  let failures = 0;
  const wake = () => {
    pending = true;
    interrupt();
  };

  async function drainOnce(): Promise<number> {
    return drainOutbox(sql, BATCH, async (messages) => {
      const outbound = messages.map((m) => ({
        ...m,
        headers: { ...m.headers, [MESSAGE_ID_HEADER]: m.messageId },
      }));
      for (const chunk of bySize(outbound, MAX_REQUEST_BYTES)) await publisher.send(chunk);
      for (const m of messages) metrics.published.inc({ topic: m.topic });
    });
  }

  const loop = (async () => {
    while (running) {
      pending = false;
      let published = 0;
      try {
        published = await drainOnce();
        failures = 0;
      } catch (error) {
        failures++;
        log.warn({ err: (error as Error).message, failures }, "outbox publish failed; will retry");
      }
      if ((published === BATCH || pending) && failures === 0) continue;
      const wait = failures === 0 ? POLL_MS : Math.min(10_000, 200 * 2 ** failures);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    /** New messages were committed: publish now rather than at the next poll. */
    wake,
    /** Stops after a last attempt to publish what is pending. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loop;
      await drainOnce().catch((error: Error) =>
        log.warn({ err: error.message }, "final outbox drain failed"),
      );
    },
  };
}
