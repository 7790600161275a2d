import type { Sql } from "./sql.ts";
import type { PartitionKey } from "./states.ts";

/** One counter of a partition's state: `kind` groups them (a level of the population), `name` names it. */
export interface Counter {
  kind: string;
  name: string;
  value: number;
}

/** A counter's new value, or null when it was dropped. */
export interface CounterChange {
  kind: string;
  name: string;
  value: number | null;
}

export async function loadPartitionCounters(sql: Sql, key: PartitionKey): Promise<Counter[]> {
  const result = await sql.query<Counter>(
    `select kind, name, value from partition_counters
     where group_id = $1 and topic = $2 and partition = $3`,
    [key.groupId, key.topic, key.partition],
  );
  return result.rows;
}

/**
 * Writes the changed counters of one partition: one upsert, and (rarely: a population drops values
 * only when it halves) one delete per kind, each by the primary key.
 */
export async function savePartitionCounters(
  sql: Sql,
  key: PartitionKey,
  changes: CounterChange[],
): Promise<void> {
  const set = changes.filter((change) => change.value !== null);
  if (set.length > 0) {
    await sql.query(
      `insert into partition_counters as c (group_id, topic, partition, kind, name, value)
       select $1, $2, $3, x."kind", x."name", x."value"
       from json_to_recordset($4::json) as x("kind" text, "name" text, "value" double precision)
       on conflict (group_id, topic, partition, kind, name) do update set value = excluded.value`,
      [key.groupId, key.topic, key.partition, JSON.stringify(set)],
    );
  }
  const dropped = new Map<string, string[]>();
  for (const { kind, name, value } of changes) {
    if (value !== null) continue;
    const names = dropped.get(kind);
    if (names) names.push(name);
    else dropped.set(kind, [name]);
  }
  for (const [kind, names] of dropped) {
    await sql.query(
      `delete from partition_counters
       where group_id = $1 and topic = $2 and partition = $3 and kind = $4 and name = any($5::text[])`,
      [key.groupId, key.topic, key.partition, kind, names],
    );
  }
}
