import { createRoute, z } from "@hono/zod-openapi";
import { type Topics, topicNames } from "@vigil/events";
import { enqueue, getFlag, resolveFlag, type Sql, type StoredFlag } from "@vigil/store";
import { feedbackMessage, flagMessage } from "../../messages.ts";
import { securityOf } from "../access.ts";
import { type ApiApp, type ApiDeps, principalOf } from "../deps.ts";
import { ApiError, errorResponses } from "../errors.ts";
import { flagResponseSchema, idParams, noQuery, VERDICTS } from "../schemas.ts";

const resolutionBody = z
  .strictObject({
    verdict: z.enum(VERDICTS),
    note: z
      .string()
      .max(2000)
      .refine((note) => !note.includes("\u0000") && note.isWellFormed(), {
        error: "must not contain NUL or unpaired surrogates",
      })
      .optional()
      .openapi({ description: "Free text for other analysts, ≤ 2000 chars" }),
  })
  .openapi("ResolutionRequest");

export type ResolveFlagBody = z.input<typeof resolutionBody>;
export type ResolveFlagResponse = z.output<typeof flagResponseSchema>;

export const resolveFlagRoute = createRoute({
  method: "post",
  path: "/v1/flags/{id}/resolution",
  tags: ["flags"],
  summary: "Resolve a flag as compromised or legitimate",
  description:
    "Sets the flag's status and records who resolved it and when. A new verdict teaches the user's " +
    "profile (`legitimate` trusts the place and device, `compromised` marks them). Idempotent: the same " +
    "verdict again changes nothing (a different `note` replaces the note).",
  security: securityOf("POST /v1/flags/{id}/resolution"),
  request: {
    params: idParams,
    query: noQuery,
    body: { required: true, content: { "application/json": { schema: resolutionBody } } },
  },
  responses: {
    200: {
      description: "The resolved flag",
      content: { "application/json": { schema: flagResponseSchema } },
    },
    ...errorResponses(
      "invalid_request",
      "unauthenticated",
      "forbidden",
      "not_found",
      "payload_too_large",
      "rate_limited",
      "internal",
    ),
  },
});

export function registerResolveFlag(app: ApiApp, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());
  const topics = deps.topics ?? topicNames();
  app.openapi(resolveFlagRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { verdict, note } = c.req.valid("json");
    const by = principalOf(c).subject;
    const flag = await resolve(deps.sql, topics, id, { verdict, note, by, at: now().toISOString() });
    if (!flag) throw new ApiError("not_found", "no flag with this id");
    return c.json(flag, 200);
  });
}

interface Verdict {
  verdict: (typeof VERDICTS)[number];
  note: string | undefined;
  by: string;
  at: string;
}

/**
 * Records the verdict, publishes the changed flag and, when the verdict is new, the feedback that
 * teaches the profile, all in one transaction: the profile is taught once per verdict, never for a
 * resolution that rolled back.
 */
async function resolve(sql: Sql, topics: Topics, id: string, input: Verdict): Promise<StoredFlag | null> {
  return sql.transaction(async (tx) => {
    // Serialises concurrent resolutions of one flag, so that two identical calls teach once.
    const locked = await tx.query("select id from flags where id = $1 for update", [id]);
    const current = locked.rows.length === 0 ? null : await getFlag(tx, id);
    if (!current) return null;
    const previous = current.resolution;
    const sameVerdict = previous?.verdict === input.verdict;
    if (sameVerdict && (input.note === undefined || input.note === previous?.note)) return current;

    const flag = await resolveFlag(tx, id, {
      ...input,
      // Repeating a verdict without a note keeps the note it was given.
      note: input.note ?? (sameVerdict ? previous?.note : undefined),
    });
    if (!flag) return null;
    const messages = [flagMessage(topics, flag)];
    if (!sameVerdict) {
      messages.push(
        feedbackMessage(
          {
            userId: flag.userId,
            flagId: flag.id,
            sessionId: flag.sessionId,
            verdict: input.verdict,
            at: input.at,
            by: "analyst",
          },
          topics.feedback,
        ),
      );
    }
    await enqueue(tx, messages);
    return flag;
  });
}
