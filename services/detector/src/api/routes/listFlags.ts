import { createRoute, z } from "@hono/zod-openapi";
import { FLAG_STATUSES, SEVERITIES } from "@vigil/events";
import { appendAuditReadingFlags, listFlags } from "@vigil/store";
import { securityOf } from "../access.ts";
import { readOnRecord } from "../audit.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import {
  cursorParam,
  flagResponseSchema,
  idText,
  limitParam,
  pageSchema,
  timestampParam,
} from "../schemas.ts";

const listFlagsQuery = z.strictObject({
  userId: idText().optional(),
  sessionId: idText().optional(),
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
    const { limit, cursor, userId, ...others } = c.req.valid("query");
    // The usual question, a user's newest flags, is read in the statement that records the call
    // (one round trip, shared by concurrent calls) instead of a query and then an audit insert.
    if (userId !== undefined && cursor === undefined && Object.values(others).every((v) => v === undefined)) {
      const page = await readOnRecord(c, (entry) => appendAuditReadingFlags(sql, entry, { userId, limit }));
      return c.json(page, 200);
    }
    return c.json(await listFlags(sql, { userId, ...others }, { limit, cursor }), 200);
  });
}
