import type { Sql } from "./sql.ts";

/** A state the caller has already serialized: written as it is, without stringifying it again. */
export class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

const jsonOf = (value: unknown): string => (value instanceof JsonText ? value.text : JSON.stringify(value));

/**
 * `[{"<name>": key, "state": <json>}, …]` as UTF-8, each state serialized once and encoded piece by
 * piece into one buffer. Built as one string, the text of a batch's states was a rope of thousands
 * of pieces that the driver flattened, measured and encoded again (15-60 ms for 2,000 new users).
 */
function recordsOf(name: string, rows: { key: string; state: unknown }[]): Buffer {
  const parts: string[] = ["["];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as { key: string; state: unknown };
    parts.push(`${i === 0 ? "" : ","}{"${name}":${JSON.stringify(row.key)},"state":`, jsonOf(row.state), "}");
  }
  parts.push("]");
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) at += bytes.write(part, at);
  return bytes;
}

/**
 * A `json` parameter given as UTF-8 bytes. node-postgres sends a Buffer as it is, in binary format,
 * and json's binary form is its text; PGlite takes the text.
 */
const jsonParam = (sql: Sql, bytes: Buffer): Buffer | string =>
  sql.kind === "postgres" ? bytes : bytes.toString("utf8");

/** Detection state is the engine's JSON; the store keeps it opaque. */
export async function loadUserStates<State>(sql: Sql, userIds: string[]): Promise<Map<string, State>> {
  if (userIds.length === 0) return new Map();
  const result = await sql.query<{ user_id: string; state: State }>(
    "select user_id, state from user_states where user_id = any($1::text[])",
    [userIds],
  );
  return new Map(result.rows.map((row) => [row.user_id, row.state]));
}

export async function saveUserStates(sql: Sql, states: { userId: string; state: unknown }[]): Promise<void> {
  if (states.length === 0) return;
  await sql.query(
    `insert into user_states (user_id, state)
     select x."userId", x."state" from json_to_recordset($1::json) as x("userId" text, "state" json)
     on conflict (user_id) do update set state = excluded.state, updated_at = now()`,
    [
      jsonParam(
        sql,
        recordsOf(
          "userId",
          states.map(({ userId, state }) => ({ key: userId, state })),
        ),
      ),
    ],
  );
}

/** The stored states of these users as JSON text (what the store was given), for callers that cache text. */
export async function loadUserStateTexts(sql: Sql, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const result = await sql.query<{ user_id: string; state: string }>(
    "select user_id, state::text as state from user_states where user_id = any($1::text[])",
    [userIds],
  );
  return new Map(result.rows.map((row) => [row.user_id, row.state]));
}

export async function loadSourceStates<State>(sql: Sql, networks: string[]): Promise<Map<string, State>> {
  if (networks.length === 0) return new Map();
  const result = await sql.query<{ network: string; state: State }>(
    "select network, state from source_states where network = any($1::text[])",
    [networks],
  );
  return new Map(result.rows.map((row) => [row.network, row.state]));
}

export async function saveSourceStates(
  sql: Sql,
  states: { network: string; state: unknown }[],
): Promise<void> {
  if (states.length === 0) return;
  await sql.query(
    `insert into source_states (network, state)
     select x."network", x."state" from json_to_recordset($1::json) as x("network" text, "state" json)
     on conflict (network) do update set state = excluded.state, updated_at = now()`,
    [
      jsonParam(
        sql,
        recordsOf(
          "network",
          states.map(({ network, state }) => ({ key: network, state })),
        ),
      ),
    ],
  );
}

export interface PartitionKey {
  groupId: string;
  topic: string;
  partition: number;
}

export async function loadPartitionState<State>(sql: Sql, key: PartitionKey): Promise<State | null> {
  const result = await sql.query<{ state: State }>(
    "select state from partition_states where group_id = $1 and topic = $2 and partition = $3",
    [key.groupId, key.topic, key.partition],
  );
  return result.rows[0]?.state ?? null;
}

export async function savePartitionState(sql: Sql, key: PartitionKey, state: unknown): Promise<void> {
  await sql.query(
    `insert into partition_states (group_id, topic, partition, state) values ($1, $2, $3, $4)
     on conflict (group_id, topic, partition) do update set state = excluded.state`,
    [key.groupId, key.topic, key.partition, jsonOf(state)],
  );
}
