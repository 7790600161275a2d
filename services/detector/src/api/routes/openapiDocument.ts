import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../access.ts";
import type { ApiApp } from "../deps.ts";

export const openapiRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["operations"],
  summary: "This document: OpenAPI 3.1 of every route",
  security: securityOf("GET /openapi.json"),
  responses: {
    200: {
      description: "The OpenAPI document",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

const description = `Account-takeover detection: flags for trust and safety, notices for users.

Authentication: \`Authorization: Bearer <JWT>\`, HS256 only, \`exp\` and \`sub\` required, \`scope\` a
space-separated list. Analyst routes need \`flags:read\` or \`flags:write\`, the audit log \`audit:read\`;
\`/v1/me/*\` accepts any valid token and only ever shows the caller's own data. Every call to a scoped
route is written to the audit log. Errors always have the shape \`{ "error": { "code", "message",
"requestId" } }\`; \`X-Request-Id\` is echoed (or generated) on every response.`;

/** Serves the document generated from the same zod schemas the routes validate with; built once. */
export function registerOpenapiDocument(app: ApiApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "HS256 JWT signed with AUTH_JWT_SECRET; scopes in the space-separated `scope` claim",
  });
  let document: Record<string, unknown> | undefined;
  app.openapi(openapiRoute, (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Vigil", version: "1.0.0", description },
      tags: [
        { name: "flags", description: "Trust and safety: suspicious sessions and their resolution" },
        { name: "me", description: "End users: their own security notices" },
        { name: "operators", description: "The audit log" },
        { name: "operations", description: "Probes, metrics and this document" },
      ],
    }) as unknown as Record<string, unknown>;
    return c.json(document, 200);
  });
}
