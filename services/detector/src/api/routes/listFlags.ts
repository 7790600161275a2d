import { createRoute, z } from "@hono/zod-openapi";
import { FLAG_STATUSES, SEVERITIES } from "@vigil/events";
import { listFlags } from "@vigil/store";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import { cursorParam, flagResponseSchema, limitParam, pageSchema, timestampParam } from "../schemas.ts";

const listFlagsQuery = z.strictObject({
  userId: z.string().min(1).max(128).optional(),
  sessionId: z.string().min(1).max(128).optional(),
  minSeverity: z.enum(SEVERITIES).optional().openapi({ description: "This severity and above" }),
  status: z.enum(FLAG_STATUSES).optional(),
  since: timestampParam.optional().openapi({ description: "Flags created at or after this time (RFC 3339)" }),
  until: timestampParam.optional().openapi({ description: "Flags created before this time (RFC 3339)" }),
  limit: limitParam,
  cursor: cursorParam,
});
const flagPageSchema = pageSchema(flagResponseSchema, "FlagPage");

export type ListFlagsQuery = z.input<typeof listFlagsQuery>;
export type ListFlagsResponse = z.output<typeof flagPageSchema>;

export const listFlagsRoute = createRoute({
  method: "get",
  path: "/v1/flags",
  tags: ["flags"],
  summary: "List flags, newest first",
  description:
    "Filters combine with AND. Pages are stable while new flags arrive: a walk with `cursor` sees every " +
    "flag that existed when it started exactly once. Unknown query parameters are rejected.",
  security: securityOf("GET /v1/flags"),
  request: { query: listFlagsQuery },
  responses: {
    200: { description: "A page of flags", content: { "application/json": { schema: flagPageSchema } } },
    ...errorResponses("invalid_request", "unauthenticated", "forbidden", "rate_limited", "internal"),
  },
});

export function registerListFlags(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(listFlagsRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    return c.json(await listFlags(sql, filter, { limit, cursor }), 200);
  });
}
