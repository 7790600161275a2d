import type { Sql } from "./sql.ts";

/** A message to publish after the transaction that decided it commits. */
export interface OutboxMessage {
  messageId: string;
  topic: string;
  key: string;
  value: Uint8Array | string;
  headers?: Record<string, string>;
}

interface OutboxRow {
  seq: string;
  message_id: string;
  topic: string;
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

export async function enqueue(sql: Sql, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await sql.query(
    `insert into outbox (message_id, topic, key, value, headers)
     select x."messageId", x."topic", x."key", decode(x."value", 'base64'), coalesce(x."headers", '{}')
     from jsonb_to_recordset($1::jsonb)
       as x("messageId" text, "topic" text, "key" text, "value" text, "headers" jsonb)
     on conflict (message_id) do nothing`,
    [JSON.stringify(messages.map((m) => ({ ...m, value: Buffer.from(m.value).toString("base64") })))],
  );
}

/**
 * Hands the oldest pending messages to `publish` and deletes them only if it succeeds, in one
 * transaction; replicas skip rows another is publishing. Returns how many were published.
 */
export async function drainOutbox(
  sql: Sql,
  limit: number,
  publish: (messages: OutboxMessage[]) => Promise<void>,
): Promise<number> {
  return sql.transaction(async (tx) => {
    const lock = tx.kind === "postgres" ? "for update skip locked" : "";
    const result = await tx.query<OutboxRow>(
      `select seq, message_id, topic, key, value, headers from outbox order by seq limit $1 ${lock}`,
      [limit],
    );
    if (result.rows.length === 0) return 0;
    await publish(
      result.rows.map((row) => ({
        messageId: row.message_id,
        topic: row.topic,
        key: row.key,
        value: row.value,
        headers: row.headers,
      })),
    );
    await tx.query("delete from outbox where seq = any($1::bigint[])", [result.rows.map((row) => row.seq)]);
    return result.rows.length;
  });
}

export async function outboxSize(sql: Sql): Promise<number> {
  const result = await sql.query<{ n: number }>("select count(*)::int as n from outbox");
  return result.rows[0]?.n ?? 0;
}
