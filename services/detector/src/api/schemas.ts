import { z } from "@hono/zod-openapi";
import { flagSchema, INVALID_TEXT, isStorableText, locationSchema, noticeSchema } from "@vigil/events";
import { decodeCursor } from "@vigil/store";

// The shapes the API shares between routes. Routes validate with them and /openapi.json is generated
// from them, so the document cannot drift from what the code accepts and answers.

export const VERDICTS = ["compromised", "legitimate"] as const;

/** Timestamps the API hands out: ISO 8601 in UTC. */
const timestamp = z.string().openapi({ format: "date-time" });

export const resolutionSchema = z
  .object({
    verdict: z.enum(VERDICTS),
    note: z.string().optional(),
    by: z.string().openapi({ description: "`sub` of the analyst who resolved the flag" }),
    at: timestamp,
  })
  .openapi("Resolution", { description: "The analyst's verdict, who gave it and when; null while open" });

const flagFields = flagSchema.extend({
  firstEventAt: timestamp,
  lastEventAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  // No `.openapi()` here: metadata on the nullable wrapper would leak into the Resolution component.
  resolution: resolutionSchema.nullable(),
});
export const flagResponseSchema = flagFields.openapi("Flag");

export const timelineEventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: "login.succeeded" }),
    occurredAt: timestamp,
    ip: z.string().nullable().openapi({ description: "Raw client address; null after IP_RETENTION_DAYS" }),
    network: z.string().nullable().openapi({ description: "The /24 (IPv4) or /48 (IPv6) network prefix" }),
    location: locationSchema.nullable(),
    device: z.string().nullable().openapi({ description: "Device family, e.g. `Chrome on Windows`" }),
    detail: z.record(z.string(), z.unknown()).openapi({ description: "The event type's own fields" }),
  })
  .openapi("TimelineEvent");

export const flagWithTimelineSchema = flagFields
  .extend({
    timeline: z.array(timelineEventSchema).openapi({ description: "The session's events, oldest first" }),
  })
  .openapi("FlagWithTimeline");

// Schemas built before @hono/zod-openapi extended zod lack `.openapi`; a copy made now has it.
export const noticeResponseSchema = noticeSchema.extend({}).openapi("Notice");

export const auditEntrySchema = z
  .object({
    at: timestamp,
    subject: z.string().openapi({ description: "`sub` of the caller" }),
    action: z.string().openapi({ example: "POST /v1/flags/{id}/resolution" }),
    target: z
      .string()
      .nullable()
      .openapi({ description: "The flag id, or the userId a list was filtered by" }),
    status: z.number().int(),
    requestId: z.string().nullable().openapi({ description: "Vigil's own id of the request" }),
    callerRequestId: z
      .string()
      .nullable()
      .openapi({ description: "The X-Request-Id the caller sent, if any (cut to 256 characters)" }),
  })
  .openapi("AuditEntry");

/** A page of newest-first results; pass `nextCursor` back as `cursor` for the next one. */
export function pageSchema<Item extends z.ZodType>(item: Item, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "Opaque; null on the last page" }),
    })
    .openapi(name);
}

export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(500)
  .default(50)
  .openapi({ description: "Page size, 1–500", example: 50 });

const isCursor = (value: string) => {
  try {
    decodeCursor(value);
    return true;
  } catch {
    return false;
  }
};

export const cursorParam = z
  .string()
  .max(512)
  .refine(isCursor, "not a cursor this API returned")
  .optional()
  .openapi({ description: "The `nextCursor` of the previous page" });

export const timestampParam = z.iso.datetime({ offset: true }).openapi({ description: "RFC 3339 timestamp" });

/**
 * An identifier in a path or query: bounded, and text the store can compare (no stored id holds NUL,
 * a control character or an unpaired surrogate, and PostgreSQL refuses NUL in a parameter).
 */
export const idText = (max = 128) =>
  z.string().min(1).max(max).refine(isStorableText, { error: INVALID_TEXT });

/** The `{id}` of a path; bounded like the ids the contract allows. */
export const idParams = z.strictObject({
  id: idText().openapi({ param: { name: "id", in: "path" } }),
});

/** For routes that take no query parameters: any given is a mistake worth a 400, not silence. */
export const noQuery = z.strictObject({});
