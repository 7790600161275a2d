import { createRoute, z } from "@hono/zod-openapi";
import { listAudit } from "@vigil/store";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import { auditEntrySchema, idText, limitParam } from "../schemas.ts";

const listAuditQuery = z.strictObject({
  subject: idText(256).optional().openapi({ description: "Only this caller's calls" }),
  limit: limitParam,
});
const auditPageSchema = z.object({ items: z.array(auditEntrySchema) }).openapi("AuditPage");

export type ListAuditQuery = z.input<typeof listAuditQuery>;
export type ListAuditResponse = z.output<typeof auditPageSchema>;

export const listAuditRoute = createRoute({
  method: "get",
  path: "/v1/audit",
  tags: ["operators"],
  summary: "The audit log of analyst and operator calls, most recent first",
  description:
    "Every call to a route that needs a scope, including refused and failed ones: who, what, which " +
    "target, when, and the status it got. Append-only; reading it is itself audited.",
  security: securityOf("GET /v1/audit"),
  request: { query: listAuditQuery },
  responses: {
    200: { description: "The latest entries", content: { "application/json": { schema: auditPageSchema } } },
    ...errorResponses("invalid_request", "unauthenticated", "forbidden", "rate_limited", "internal"),
  },
});

export function registerListAudit(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(listAuditRoute, async (c) => {
    const { subject, limit } = c.req.valid("query");
    return c.json({ items: await listAudit(sql, { subject, limit }) }, 200);
  });
}
