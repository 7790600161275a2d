import { createRoute, z } from "@hono/zod-openapi";
import { FLAG_STATUSES, REASON_CODES, SEVERITIES } from "@vigil/events";
import { countQueue, decodeQueueCursor, listQueue } from "@vigil/store";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import { flagResponseSchema, limitParam, timestampParam } from "../schemas.ts";

const isQueueCursor = (value: string) => {
  try {
    decodeQueueCursor(value);
    return true;
  } catch {
    return false;
  }
};

const listQueueQuery = z.strictObject({
  severity: z.enum(SEVERITIES).optional().openapi({ description: "Only this severity" }),
  status: z
    .enum(FLAG_STATUSES)
    .optional()
    .openapi({ description: "Only this status (the console asks for `open`)" }),
  reason: z.enum(REASON_CODES).optional().openapi({ description: "Only flags with this reason" }),
  userId: z.string().min(1).max(128).optional(),
  since: timestampParam.optional().openapi({ description: "Last activity at or after this time (RFC 3339)" }),
  until: timestampParam.optional().openapi({ description: "Last activity before this time (RFC 3339)" }),
  limit: limitParam,
  cursor: z
    .string()
    .max(512)
    .refine(isQueueCursor, "not a queue cursor this API returned")
    .optional()
    .openapi({ description: "The `nextCursor` of the previous page" }),
});

const severityCounts = z
  .object(
    Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodNumber
    >,
  )
  .openapi("SeverityCounts", { description: "Flags of each severity matching the other filters" });

const queuePageSchema = z
  .object({
    items: z.array(flagResponseSchema),
    nextCursor: z.string().nullable().openapi({ description: "Opaque; null on the last page" }),
    counts: severityCounts,
  })
  .openapi("QueuePage");

export type ListQueueQuery = z.input<typeof listQueueQuery>;
export type ListQueueResponse = z.output<typeof queuePageSchema>;

export const listQueueRoute = createRoute({
  method: "get",
  path: "/v1/queue",
  tags: ["flags"],
  summary: "The analysts' queue: flags by severity, then latest activity",
  description:
    "Most severe first and, within a severity, the session active most recently first, so that a " +
    "takeover that keeps escalating stays at the top. Filters combine with AND; `counts` gives the " +
    "number of flags of each severity under the same filters but `severity`. Keyset pagination: pass " +
    "`nextCursor` back as `cursor` with the same filters.",
  security: securityOf("GET /v1/queue"),
  request: { query: listQueueQuery },
  responses: {
    200: { description: "A page of the queue", content: { "application/json": { schema: queuePageSchema } } },
    ...errorResponses("invalid_request", "unauthenticated", "forbidden", "rate_limited", "internal"),
  },
});

export function registerListQueue(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(listQueueRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    const [page, counts] = await Promise.all([
      listQueue(sql, filter, { limit, cursor }),
      countQueue(sql, filter),
    ]);
    return c.json({ ...page, counts }, 200);
  });
}
