import { type DecodeResult, decodeValue, type ParseResult, validateEvent } from "@vigil/events";
import type { z } from "zod";

/**
 * Message values decoded once per consumed message: the routing check reads an activity value's
 * `userId` before the batch takes its locks, and the planner validates the same value after (and
 * again if it plans the batch once more). Held as long as the message's buffer is.
 */
const decodedValues = new WeakMap<Buffer, DecodeResult>();

export function decodedValue(value: Buffer | null): DecodeResult {
  if (value === null) return decodeValue(value);
  let decoded = decodedValues.get(value);
  if (decoded === undefined) {
    decoded = decodeValue(value);
    decodedValues.set(value, decoded);
  }
  return decoded;
}

/** `parseEvent` of the message's value, decoding it at most once. Validation makes new objects each time. */
export function parsedEvent(value: Buffer | null): ParseResult {
  const decoded = decodedValue(value);
  return decoded.ok ? validateEvent(decoded.data) : decoded;
}

/** A message value that `schema` accepts (an internal mark); null for anything else. */
export function valueMatching<T>(value: Buffer | null, schema: z.ZodType<T>): T | null {
  const decoded = decodedValue(value);
  if (!decoded.ok) return null;
  const result = schema.safeParse(decoded.data);
  return result.success ? result.data : null;
}
