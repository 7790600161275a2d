import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../access.ts";
import type { ApiApp } from "../deps.ts";

const healthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["operations"],
  summary: "Liveness: the process is alive and serving",
  security: securityOf("GET /healthz"),
  responses: {
    200: { description: "Alive", content: { "application/json": { schema: healthSchema } } },
  },
});

export function registerHealthz(app: ApiApp): void {
  // Deliberately touches nothing else: a slow database must not get a live process restarted.
  app.openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200));
}
