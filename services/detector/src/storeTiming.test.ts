import { describe, expect, it } from "vitest";
import { statementOf } from "./storeTiming.ts";

describe("statementOf", () => {
  it("names a statement by its verb and first table", () => {
    expect(statementOf("insert into user_states (user_id, state) select …")).toBe("insert user_states");
    expect(statementOf("\n  select id, state from flags where user_id = $1")).toBe("select flags");
    expect(statementOf("update consumer_offsets set next_offset = $1")).toBe("update consumer_offsets");
    expect(statementOf("delete from outbox where seq = any($1)")).toBe("delete outbox");
  });

  it("keeps statements without a table to their verb", () => {
    expect(statementOf("begin")).toBe("begin");
    expect(statementOf("select 1")).toBe("select");
  });
});
