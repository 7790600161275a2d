import { createRoute, z } from "@hono/zod-openapi";
import { listNotices } from "@vigil/store";
import { securityOf } from "../access.ts";
import { type ApiApp, type ApiDeps, principalOf } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import { cursorParam, limitParam, noticeResponseSchema, pageSchema } from "../schemas.ts";

const listNoticesQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });
const noticePageSchema = pageSchema(noticeResponseSchema, "NoticePage");

export type ListNoticesQuery = z.input<typeof listNoticesQuery>;
export type ListNoticesResponse = z.output<typeof noticePageSchema>;

export const listNoticesRoute = createRoute({
  method: "get",
  path: "/v1/me/notices",
  tags: ["me"],
  summary: "The caller's own security notices, newest first",
  description: "Only notices addressed to the token's `sub`; any valid token may call it.",
  security: securityOf("GET /v1/me/notices"),
  request: { query: listNoticesQuery },
  responses: {
    200: { description: "A page of notices", content: { "application/json": { schema: noticePageSchema } } },
    ...errorResponses("invalid_request", "unauthenticated", "rate_limited", "internal"),
  },
});

export function registerListNotices(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(listNoticesRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listNotices(sql, principalOf(c).subject, { limit, cursor }), 200);
  });
}
