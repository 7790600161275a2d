import { createRoute, z } from "@hono/zod-openapi";
import { type Notice, type Topics, topicNames } from "@vigil/events";
import { enqueue, escalateFlag, respondToNotice, type Sql } from "@vigil/store";
import { feedbackMessage, flagMessage } from "../../messages.ts";
import { securityOf } from "../access.ts";
import { type ApiApp, type ApiDeps, principalOf } from "../deps.ts";
import { ApiError, errorResponses } from "../errors.ts";
import { idParams, noQuery, noticeResponseSchema } from "../schemas.ts";

const responseBody = z
  .strictObject({
    wasMe: z.boolean().openapi({ description: "true: it was me; false: it was not me" }),
  })
  .openapi("NoticeResponseRequest");

export type RespondToNoticeBody = z.input<typeof responseBody>;
export type RespondToNoticeResponse = z.output<typeof noticeResponseSchema>;

export const respondToNoticeRoute = createRoute({
  method: "post",
  path: "/v1/me/notices/{id}/response",
  tags: ["me"],
  summary: "Answer a notice: was it you?",
  description:
    "`true` teaches the profile to trust the place and device. `false` escalates the flag to `critical` " +
    "at once and marks them. The first answer stands: later calls return the notice unchanged. Another " +
    "user's notice id answers 404.",
  security: securityOf("POST /v1/me/notices/{id}/response"),
  request: {
    params: idParams,
    query: noQuery,
    body: { required: true, content: { "application/json": { schema: responseBody } } },
  },
  responses: {
    200: {
      description: "The notice with the recorded answer",
      content: { "application/json": { schema: noticeResponseSchema } },
    },
    ...errorResponses(
      "invalid_request",
      "unauthenticated",
      "not_found",
      "payload_too_large",
      "rate_limited",
      "internal",
    ),
  },
});

export function registerRespondToNotice(app: ApiApp, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());
  const topics = deps.topics ?? topicNames();
  app.openapi(respondToNoticeRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { wasMe } = c.req.valid("json");
    const notice = await answer(deps.sql, topics, principalOf(c).subject, id, wasMe, now().toISOString());
    if (!notice) throw new ApiError("not_found", "no notice with this id");
    return c.json(notice, 200);
  });
}

/**
 * Records the first answer and acts on it in the same transaction. "It was me" does not close the
 * flag: whoever holds a hijacked session can say it too, so the verdict stays with analysts.
 */
async function answer(
  sql: Sql,
  topics: Topics,
  userId: string,
  id: string,
  wasMe: boolean,
  at: string,
): Promise<Notice | null> {
  return sql.transaction(async (tx) => {
    const answered = await respondToNotice(tx, userId, id, { wasMe, respondedAt: at });
    if (!answered) return null;
    if (!answered.changed) return answered.notice;
    const { flagId, sessionId } = answered.notice;
    const verdict = wasMe ? "legitimate" : "compromised";
    const messages = [
      feedbackMessage({ userId, flagId, sessionId, verdict, at, by: "owner" }, topics.feedback),
    ];
    if (!wasMe) {
      const escalated = await escalateFlag(tx, flagId, at);
      if (escalated) messages.push(flagMessage(topics, escalated));
    }
    await enqueue(tx, messages);
    return answered.notice;
  });
}
