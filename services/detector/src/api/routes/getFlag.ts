import { createRoute, type z } from "@hono/zod-openapi";
import { type EventRecord, getFlag, sessionTimeline } from "@vigil/store";
import { securityOf } from "../access.ts";
import type { ApiApp, ApiDeps } from "../deps.ts";
import { ApiError, errorResponses } from "../errors.ts";
import { flagWithTimelineSchema, idParams, noQuery, type timelineEventSchema } from "../schemas.ts";

export type GetFlagResponse = z.output<typeof flagWithTimelineSchema>;

export const getFlagRoute = createRoute({
  method: "get",
  path: "/v1/flags/{id}",
  tags: ["flags"],
  summary: "One flag, with the timeline of its session",
  description:
    "The timeline lists the session's events oldest first, each with its approximate place and device " +
    "family. It is empty for flags that are not about one session (cross-account attacks).",
  security: securityOf("GET /v1/flags/{id}"),
  request: { params: idParams, query: noQuery },
  responses: {
    200: {
      description: "The flag and its session's events",
      content: { "application/json": { schema: flagWithTimelineSchema } },
    },
    ...errorResponses(
      "invalid_request",
      "unauthenticated",
      "forbidden",
      "not_found",
      "rate_limited",
      "internal",
    ),
  },
});

export function registerGetFlag(app: ApiApp, { sql }: ApiDeps): void {
  app.openapi(getFlagRoute, async (c) => {
    const { id } = c.req.valid("param");
    const flag = await getFlag(sql, id);
    if (!flag) throw new ApiError("not_found", "no flag with this id");
    const events = flag.sessionId === null ? [] : await sessionTimeline(sql, flag.userId, flag.sessionId);
    return c.json({ ...flag, timeline: events.map(toTimelineEvent) }, 200);
  });
}

/** Drops what the timeline repeats (user, session) and what it never shows (the keyed IP hash). */
function toTimelineEvent(event: EventRecord): z.output<typeof timelineEventSchema> {
  const { id, type, occurredAt, ip, network, location, device, detail } = event;
  return { id, type, occurredAt, ip, network, location, device, detail };
}
