import { z } from "zod";
import { locationSchema, REASON_CODES } from "./flags.ts";

/**
 * A suspicious-session notice to an end user (docs/contract.md, "Notices"). It travels through third-party mail
 * providers, so it carries no IP address, token, password request or link: only the approximate
 * place, the time, the device family, what was flagged and what to do in the product.
 */
export const noticeSchema = z.object({
  id: z.string(),
  userId: z.string(),
  flagId: z.string(),
  sessionId: z.string().nullable(),
  occurredAt: z.string(),
  createdAt: z.string(),
  location: locationSchema.nullable(),
  device: z.string().nullable(),
  flagged: z.array(z.enum(REASON_CODES)),
  title: z.string(),
  body: z.string(),
  actions: z.array(z.string()),
  response: z.object({ wasMe: z.boolean(), respondedAt: z.string() }).nullable(),
});
export type Notice = z.output<typeof noticeSchema>;
