// /asyncapi.json serves the document docs/asyncapi.yaml is written from, to anyone, next to /openapi.json.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { call, openTestStore, testApi } from "../../services/detector/src/api/fixtures.ts";

describe("GET /asyncapi.json", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it("answers without a token with the document of docs/asyncapi.yaml", async () => {
    const response = await call(testApi(store.sql).app, "GET", "/asyncapi.json");
    expect(response.status).toBe(200);
    const written = parse(readFileSync(new URL("../../docs/asyncapi.yaml", import.meta.url), "utf8"));
    expect(response.json).toEqual(written);
    expect(response.json).toMatchObject({ asyncapi: "3.0.0" });
  });
});
