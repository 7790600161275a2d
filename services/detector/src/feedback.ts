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
