import { noticeSchema } from "@vigil/events";
import { eventJsonSchemas, type JsonSchema, toJsonSchema } from "@vigil/events/json-schema";
import { flagResponseSchema } from "../api/schemas.ts";
import { verdictSchema } from "../consumer/userTopics.ts";
import { feedbackSchema } from "../feedback.ts";

/**
 * The JSON Schema of every message on Vigil's topics, by file name under docs/schemas/: each event
 * type and any event (what producers write), the flag and the notice (what Vigil publishes), and the
 * internal messages between replicas. Flags are described as published, with their resolution.
 */
export function contractSchemas(): Record<string, JsonSchema> {
  return {
    ...eventJsonSchemas(),
    "flag.json": toJsonSchema(flagResponseSchema, "flag", "A flag on account-flags, as created or changed."),
    "notice.json": toJsonSchema(
      noticeSchema,
      "notice",
      "A suspicious-session notice on account-security-notices.",
    ),
    "internal/verdict.json": toJsonSchema(
      verdictSchema,
      "cross-account verdict",
      "A spray or stuffing verdict about a user on account-activity.verdicts (internal).",
    ),
    "internal/feedback.json": toJsonSchema(
      feedbackSchema,
      "feedback",
      "An analyst's resolution or a user's answer on account-activity.feedback (internal).",
    ),
  };
}
