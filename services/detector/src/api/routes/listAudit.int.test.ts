import { appendAudit } from "@vigil/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openTestStore, reader, testApi, token, user } from "../fixtures.ts";

describe("GET /v1/audit", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  const operator = () => token({ sub: "operator-1", scope: "audit:read" });

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
    for (let i = 0; i < 5; i++) {
      await appendAudit(store.sql, {
        subject: i % 2 === 0 ? "analyst-1" : "analyst-2",
        action: "GET /v1/flags/{id}",
        target: `f${i}`,
        status: 200,
        requestId: `r${i}`,
      });
    }
  });
  afterAll(() => store.close());

  it("lists the latest entries first, with who, what, which target, when and the status", async () => {
    const response = await call(app, "GET", "/v1/audit?limit=3", { token: await operator() });
    expect(response.status).toBe(200);
    expect(response.json.items.map((e: { target: string }) => e.target)).toEqual(["f4", "f3", "f2"]);
    expect(response.json.items[0]).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      subject: "analyst-1",
      action: "GET /v1/flags/{id}",
      target: "f4",
      status: 200,
      requestId: "r4",
      callerRequestId: null,
    });
  });

  it("filters by subject", async () => {
    const response = await call(app, "GET", "/v1/audit?subject=analyst-2", { token: await operator() });
    expect(response.json.items.map((e: { target: string }) => e.target)).toEqual(["f3", "f1"]);
  });

  it("records its own reads", async () => {
    await call(app, "GET", "/v1/audit?subject=nobody", { token: await operator() });
    const response = await call(app, "GET", "/v1/audit?subject=operator-1", { token: await operator() });
    expect(response.json.items[0]).toMatchObject({
      subject: "operator-1",
      action: "GET /v1/audit",
      status: 200,
    });
  });

  it.each([["limit=0"], ["limit=501"], ["subject="], ["action=GET"]])(
    "rejects %s with 400",
    async (query) => {
      const response = await call(app, "GET", `/v1/audit?${query}`, { token: await operator() });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("invalid_request");
    },
  );

  it("needs audit:read: analysts and users get 403", async () => {
    for (const bearer of [
      await reader(),
      await token({ scope: "flags:read flags:write" }),
      await user("alice"),
    ]) {
      const response = await call(app, "GET", "/v1/audit", { token: bearer });
      expect(response.status).toBe(403);
      expect(response.json.error.code).toBe("forbidden");
    }
  });
});
