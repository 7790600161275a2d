// /openapi.json is generated from the routes' own zod schemas; this proves it is a valid OpenAPI 3.1
// document by a standard validator, and that it documents every route the access table opens, each
// with its security requirement and error responses.
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openTestStore, testApi } from "../../services/detector/src/api/fixtures.ts";
import { ACCESS, ERROR_CODES } from "../../services/detector/src/api/index.ts";

type Operation = {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
};

describe("GET /openapi.json", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked as plain JSON.
  let document: any;

  beforeAll(async () => {
    store = await openTestStore();
    const response = await call(testApi(store.sql).app, "GET", "/openapi.json");
    expect(response.status).toBe(200);
    document = response.json;
  });
  afterAll(() => store.close());

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents exactly the routes of the access table", () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(ACCESS).sort());
  });

  it("gives each route the security requirement of its access rule", () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    for (const [endpoint, rule] of Object.entries(ACCESS)) {
      const [method, path] = endpoint.split(" ") as [string, string];
      const operation: Operation = document.paths[path][method.toLowerCase()];
      const expected =
        rule.kind === "public" ? [] : [{ bearerAuth: rule.kind === "scope" ? [rule.scope] : [] }];
      expect(operation.security, endpoint).toEqual(expected);
    }
  });

  it("documents the error shape and the errors of every protected route", () => {
    expect(document.components.schemas.Error.properties.error.properties.code.enum).toEqual([...ERROR_CODES]);
    for (const [endpoint, rule] of Object.entries(ACCESS)) {
      if (rule.kind === "public") continue;
      const [method, path] = endpoint.split(" ") as [string, string];
      const operation: Operation = document.paths[path][method.toLowerCase()];
      const expected = ["400", "401", "429", "500", ...(rule.kind === "scope" ? ["403"] : [])];
      if (path.includes("{id}")) expected.push("404");
      if (method === "POST") expected.push("413");
      for (const status of expected) {
        expect(
          operation.responses[status]?.content?.["application/json"]?.schema.$ref,
          `${endpoint} ${status}`,
        ).toBe("#/components/schemas/Error");
      }
    }
  });
});
