import { describe, expect, it } from "vitest";
import { statementOf } from "./storeTiming.ts";

describe("statementOf", () => {
  it("names a statement by its verb and first table", () => {
    expect(statementOf("insert into user_states (user_id, state) select …")).toBe("insert user_states");
    expect(statementOf("\n  select id, state from flags where user_id = $1")).toBe("select flags");
    expect(statementOf("update consumer_offsets set next_offset = $1")).toBe("update consumer_offsets");
    expect(statementOf("delete from outbox where seq = any($1)")).toBe("delete outbox");
  });

  it("names a with query by the write it ends in, not by its first table", () => {
    expect(
      statementOf(`with x as materialized (select * from json_to_recordset($1::json) as x(id text)),
        fresh as (insert into event_ids (id) select id from x on conflict (id) do nothing returning id)
        insert into events (id) select id from x join fresh using (id)`),
    ).toBe("insert events");
    expect(
      statementOf(`with moved as (select id from queue) update outbox as o set sent = true from moved`),
    ).toBe("update outbox");
    expect(
      statementOf(
        "insert into flags (id) values ($1) on conflict (id) do update set severity = excluded.severity",
      ),
    ).toBe("insert flags");
    expect(statementOf("with recent as (select * from flags) select count(*) from recent")).toBe(
      "select flags",
    );
  });

  it("keeps statements without a table to their verb", () => {
    expect(statementOf("begin")).toBe("begin");
    expect(statementOf("select 1")).toBe("select");
  });
});
