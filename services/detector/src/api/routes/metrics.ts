import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["operations"],
  summary: "Prometheus metrics (text exposition format)",
  security: securityOf("GET /metrics"),
  responses: {
    200: {
      description: "Every series of the service",
      content: { "text/plain; version=0.0.4; charset=utf-8": { schema: z.string() } },
    },
  },
});

export function registerMetrics(app: ApiApp, { metrics, exposition }: ApiDeps): void {
  app.openapi(metricsRoute, async (c) => {
    const response = c.text(await (exposition ? exposition() : metrics.registry.metrics()), 200);
    // c.text() insists on plain text/plain; Prometheus wants its exposition format version.
    response.headers.set("Content-Type", metrics.registry.contentType);
    return response;
  });
}
