import type { InboundMessage } from "../kafka/types.ts";

/**
 * The database refused the data itself, so the same data will always fail: SQLSTATE class 22 (data
 * exception: text it cannot store, a number out of range), 23 (integrity constraint violation) or 54
 * (program limit exceeded: a value too large for an index row). The store's own repeated-event check
 * is a RepeatedEvents, not one of these. PostgreSQL and PGlite both set `code`.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** How a run of messages is committed, and what becomes of the one the database refuses. */
export interface Isolation {
  /** Commits the messages from `from` on; answers the next offset. */
  commit(messages: InboundMessage[], from: number | null): Promise<number>;
  /** Moves the offset past the one message the database refused; answers the next offset. */
  reject(message: InboundMessage, from: number | null, error: unknown): Promise<number>;
  /** The database refused a run of several: it is halved. */
  splitting(error: unknown, messages: number): void;
}

/**
 * Commits the messages; when the database refuses their data (see isDataError), halves them until
 * the one it refuses is alone, rejects that one and commits the rest: no input, however unforeseen,
 * can stop its partition. Each half commits with its own offsets.
 */
export async function commitIsolating(
  messages: InboundMessage[],
  from: number | null,
  isolation: Isolation,
): Promise<number> {
  try {
    return await isolation.commit(messages, from);
  } catch (error) {
    if (!isDataError(error)) throw error;
    const [only] = messages;
    if (messages.length === 1 && only !== undefined) return isolation.reject(only, from, error);
    isolation.splitting(error, messages.length);
    const half = Math.ceil(messages.length / 2);
    const middle = await commitIsolating(messages.slice(0, half), from, isolation);
    return commitIsolating(messages.slice(half), middle, isolation);
  }
}
