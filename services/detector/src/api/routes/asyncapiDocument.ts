import { createRoute, z } from "@hono/zod-openapi";
import { asyncApiDocument } from "../../contract/asyncapi.ts";
import { securityOf } from "../access.ts";
import type { ApiApp } from "../deps.ts";

export const asyncapiRoute = createRoute({
  method: "get",
  path: "/asyncapi.json",
  tags: ["operations"],
  summary: "AsyncAPI 3.0 of every Kafka topic Vigil reads and writes (docs/asyncapi.yaml)",
  security: securityOf("GET /asyncapi.json"),
  responses: {
    200: {
      description: "The AsyncAPI document",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

/** Serves the document docs/asyncapi.yaml is written from; built on first request. */
export function registerAsyncapiDocument(app: ApiApp): void {
  let document: Record<string, unknown> | undefined;
  app.openapi(asyncapiRoute, (c) => {
    document ??= asyncApiDocument();
    return c.json(document, 200);
  });
}
