// The access table's own policy: what may be reached without a token. Every protected route's
// refusals are proven in security.int.test.ts, which enumerates them from the same table.
import { describe, expect, it } from "vitest";
import { ACCESS } from "./access.ts";

describe("the access table", () => {
  it("asks a token of every route under /v1, and opens only reads to callers without one", () => {
    for (const [endpoint, rule] of Object.entries(ACCESS)) {
      if (/ \/v1(\/|$)/.test(endpoint)) expect(rule.kind, endpoint).not.toBe("public");
      if (rule.kind === "public") expect(endpoint).toMatch(/^GET /);
    }
  });
});
