/**
 * The consumer's memory bound: a fetched batch is processed in slices of at most `maxBytes` of
 * message values and keys, each planned, written and committed as a batch of its own. Every slice
 * holds at least one message, so a message larger than the bound passes alone.
 */
export function* slicesOf<T extends { value: Buffer | null; key?: Buffer | null }>(
  messages: readonly T[],
  maxBytes: number,
): Generator<T[]> {
  let slice: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0);
    if (slice.length > 0 && bytes + size > maxBytes) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(message);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}
