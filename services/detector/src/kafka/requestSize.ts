import type { OutboundMessage } from "./types.ts";

/**
 * Bytes per produce request. The broker refuses a partition's record batch over the topic's
 * max.message.bytes (1 MiB by default) and a refused request would be retried for ever, so many
 * or large messages (dead letters of oversized input, a batch's re-keyed logins) go out in several requests.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages, in order, into runs of at most `limit` bytes; a larger message goes alone. */
export function bySize(messages: OutboundMessage[], limit = MAX_REQUEST_BYTES): OutboundMessage[][] {
  const chunks: OutboundMessage[][] = [];
  let chunk: OutboundMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    let size = Buffer.byteLength(message.key) + byteLength(message.value) + 64;
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

const byteLength = (value: Uint8Array | string) =>
  typeof value === "string" ? Buffer.byteLength(value) : value.byteLength;
