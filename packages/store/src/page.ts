/** Keyset pagination over (created_at desc, id desc): stable while rows are inserted concurrently. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

interface Position {
  createdAt: string;
  id: string;
}

export class InvalidCursorError extends Error {}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string"
    ) {
      if (!Number.isNaN(Date.parse(value[0]))) return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError("cursor is not one this API returned");
}

/** Fetches `limit + 1` rows to know whether there is a next page without a count query. */
export function toPage<T extends Position>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The SQL condition for "after the cursor" in newest-first order, with its parameters appended. */
export function afterCursor(cursor: string, params: unknown[]): string {
  const at = decodeCursor(cursor);
  params.push(at.createdAt, at.id);
  return `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`;
}

/** Timestamps come back as Date (pg) or string (PGlite, casts): always hand out ISO 8601 UTC. */
export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
