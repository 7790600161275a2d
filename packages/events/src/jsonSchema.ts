import { z } from "zod";
import {
  accountEventSchema,
  contentDeletedSchema,
  contentModifiedSchema,
  type EventType,
  loginFailedSchema,
  loginSucceededSchema,
  sessionEndedSchema,
  settingsChangedSchema,
} from "./events.ts";

/** A JSON Schema document (draft-07), as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

export const EVENT_SCHEMAS: Readonly<Record<EventType, z.ZodType>> = {
  "login.succeeded": loginSucceededSchema,
  "login.failed": loginFailedSchema,
  "settings.changed": settingsChangedSchema,
  "content.deleted": contentDeletedSchema,
  "content.modified": contentModifiedSchema,
  "session.ended": sessionEndedSchema,
};

/**
 * Rules a zod refinement enforces, which JSON Schema cannot learn from the refinement itself: the
 * same rule in JSON Schema's words. A test checks that both reject the same events.
 */
const REFINEMENTS = new Map<z.core.$ZodType, JsonSchema>([
  [
    loginFailedSchema,
    {
      if: { properties: { reason: { not: { const: "unknown_account" } } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's conditional keyword, not a promise.
      then: { required: ["userId"] },
    },
  ],
]);

/**
 * The JSON Schema (draft-07, understood by every common validator) of a contract schema, as its
 * producer writes it: `io: "input"` describes what the zod schema accepts, so fields with defaults
 * are optional, a transform is described by what it takes in, and unknown fields stay allowed (zod
 * drops them, Vigil ignores them). Throws on a rule JSON Schema cannot express, rather than leaving
 * it out in silence.
 */
export function toJsonSchema(schema: z.ZodType, title: string, description?: string): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    target: "draft-7",
    io: "input",
    override: (ctx) => {
      // zod's IPv6 check accepts forms its emitted pattern does not (`::ffff:1.2.3.4`); the
      // `ipv6` format, which validators check, accepts what zod accepts.
      if (ctx.jsonSchema.format === "ipv6") delete ctx.jsonSchema.pattern;
      const refinement = REFINEMENTS.get(ctx.zodSchema);
      if (refinement !== undefined) Object.assign(ctx.jsonSchema, refinement);
    },
  }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return { $schema, title, ...(description === undefined ? {} : { description }), ...rest };
}

/** The JSON Schema of each event type and of any event, by file name (`events/login.succeeded.json`). */
export function eventJsonSchemas(): Record<string, JsonSchema> {
  const events = Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [
    `events/${type}.json`,
    toJsonSchema(schema, type, `A \`${type}\` event on account-activity.`),
  ]);
  return {
    ...Object.fromEntries(events),
    "account-event.json": toJsonSchema(
      accountEventSchema,
      "account event",
      "Any event on account-activity, told apart by `type`.",
    ),
  };
}
