import { randomUUID } from "node:crypto";
import { TOPICS } from "@vigil/events";
import type { OutboxMessage } from "@vigil/store";
import { z } from "zod";

/**
 * Feedback on a flag, on the internal user-keyed feedback topic: it reaches the replica that owns
 * the user's state, which is the only one that changes it.
 */
export const feedbackSchema = z.object({
  userId: z.string(),
  flagId: z.string(),
  sessionId: z.string().nullable(),
  verdict: z.enum(["legitimate", "compromised"]),
  at: z.iso.datetime(),
  /** The account's owner answering a notice, or an analyst (also when absent). */
  by: z.enum(["owner", "analyst"]).optional(),
});
export type FeedbackMessage = z.output<typeof feedbackSchema>;

/** An analyst's resolution or a user's answer, on its way to the profile it teaches. */
export function feedbackMessage(feedback: FeedbackMessage, topic: string = TOPICS.feedback): OutboxMessage {
  return { messageId: randomUUID(), topic, key: feedback.userId, value: JSON.stringify(feedback) };
}
