import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";

const readinessSchema = z
  .object({
    ready: z.boolean(),
    checks: z
      .record(z.string(), z.boolean())
      .openapi({ example: { consumer: true, store: true, partitions: true } }),
    stalled: z.array(z.string()).optional().openapi({
      description:
        "`topic:partition` of each partition whose fetched messages have waited PARTITION_STALL_SECONDS to commit",
    }),
  })
  .openapi("Readiness");

export const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["operations"],
  summary: "Readiness: the consumer is in its group, the store answers and no partition is stalled",
  security: securityOf("GET /readyz"),
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: readinessSchema } } },
    503: {
      description: "Not ready; `checks` says which part",
      content: { "application/json": { schema: readinessSchema } },
    },
  },
});

export function registerReadyz(app: ApiApp, deps: ApiDeps): void {
  app.openapi(readyzRoute, async (c) => {
    const readiness = await deps.readiness().catch((error: unknown) => {
      deps.log.warn({ err: error }, "readiness check failed");
      return { ready: false, checks: {} };
    });
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
}
