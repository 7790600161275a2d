import { z } from "zod";
import { cleanText, isStorableText } from "./text.ts";

/** Largest accepted message, in bytes (docs/contract.md, "Input"). */
export const MAX_EVENT_BYTES = 64 * 1024;

/** The message of the issue an identifier with unstorable text gets; such an event is `invalid_text`. */
export const INVALID_TEXT = "must not contain NUL, control characters or unpaired surrogates";
const id128 = z.string().min(1).max(128).refine(isStorableText, { error: INVALID_TEXT });

/**
 * Optional fields a client controls (its user agent, device id, the login it typed). An attacker
 * must not be able to make their own event invalid with them: cleaned (see cleanText), cut to
 * `max`, and dropped when nothing is left or they are not text. `parse` tells which were changed.
 */
const clientText = (max: number) =>
  z
    .string()
    .transform((text) => cleanText(text, max) || undefined)
    .optional()
    .catch(undefined);

/** Limits of the client-controlled fields (docs/contract.md, "Input"); longer values are cut to them. */
export const CLIENT_TEXT_LIMITS = { userAgent: 1024, deviceId: 128, accountHint: 256 } as const;
export type ClientField = keyof typeof CLIENT_TEXT_LIMITS;
const ip = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });
const NOT_RFC3339 = "must be an RFC 3339 timestamp with offset";
/**
 * RFC 3339 as its section 5.6 and notes allow: "T" or a space between date and time (Python's
 * `str(datetime)`), "T" and "Z" in either case. Accepted in every form, kept in one:
 * `2026-11-28T14:03:11Z`, `…+01:00`.
 */
const timestamp = z
  .string({ error: NOT_RFC3339 })
  .regex(/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/, {
    error: NOT_RFC3339,
  })
  .meta({ format: "date-time" })
  .transform((text) => `${text.slice(0, 10)}T${text.slice(11).replace(/z$/, "Z")}`)
  .pipe(z.iso.datetime({ offset: true, error: NOT_RFC3339 }));

export const EVENT_TYPES = [
  "login.succeeded",
  "login.failed",
  "settings.changed",
  "content.deleted",
  "content.modified",
  "session.ended",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LOGIN_METHODS = ["password", "sso", "passkey", "token"] as const;
export const LOGIN_FAILURE_REASONS = ["bad_password", "unknown_account", "mfa_failed", "locked"] as const;
export const SETTINGS = [
  "email",
  "password",
  "mfa",
  "recovery_email",
  "recovery_phone",
  "username",
  "api_token",
  "privacy",
  "profile",
  "other",
] as const;
export const SETTING_ACTIONS = ["updated", "enabled", "disabled", "added", "removed"] as const;
export const CONTENT_TYPES = ["photo", "album", "comment", "other"] as const;
export const SESSION_END_REASONS = ["logout", "expired", "revoked"] as const;

const common = {
  id: id128,
  occurredAt: timestamp,
  userAgent: clientText(CLIENT_TEXT_LIMITS.userAgent),
  deviceId: clientText(CLIENT_TEXT_LIMITS.deviceId),
};
const count = z.number().int().min(1).default(1);

export const loginSucceededSchema = z.object({
  ...common,
  type: z.literal("login.succeeded"),
  userId: id128,
  sessionId: id128,
  ip,
  method: z.enum(LOGIN_METHODS).optional(),
  mfa: z.boolean().optional(),
});

export const loginFailedSchema = z
  .object({
    ...common,
    type: z.literal("login.failed"),
    userId: id128.optional(),
    sessionId: id128.optional(),
    ip,
    reason: z.enum(LOGIN_FAILURE_REASONS),
    accountHint: clientText(CLIENT_TEXT_LIMITS.accountHint),
  })
  .refine((e) => e.userId !== undefined || e.reason === "unknown_account", {
    path: ["userId"],
    message: "is required unless reason is unknown_account",
  });

export const settingsChangedSchema = z.object({
  ...common,
  type: z.literal("settings.changed"),
  userId: id128,
  sessionId: id128,
  ip: ip.optional(),
  setting: z.enum(SETTINGS),
  action: z.enum(SETTING_ACTIONS).optional(),
});

export const contentDeletedSchema = z.object({
  ...common,
  type: z.literal("content.deleted"),
  userId: id128,
  sessionId: id128,
  ip: ip.optional(),
  contentType: z.enum(CONTENT_TYPES),
  count,
});

export const contentModifiedSchema = contentDeletedSchema.extend({ type: z.literal("content.modified") });

export const sessionEndedSchema = z.object({
  ...common,
  type: z.literal("session.ended"),
  userId: id128,
  sessionId: id128,
  ip: ip.optional(),
  reason: z.enum(SESSION_END_REASONS).optional(),
});

export const accountEventSchema = z.discriminatedUnion("type", [
  loginSucceededSchema,
  loginFailedSchema,
  settingsChangedSchema,
  contentDeletedSchema,
  contentModifiedSchema,
  sessionEndedSchema,
]);

/**
 * A valid event; `malformed` names the client-controlled fields that arrived malformed (cut,
 * cleaned or dropped), itself a signal: set by `validateEvent`, never taken from the input.
 */
export type AccountEvent = z.output<typeof accountEventSchema> & { malformed?: ClientField[] };
/** What a producer writes: defaults (such as `count`) may be left out. */
export type AccountEventInput = z.input<typeof accountEventSchema>;
export type LoginSucceeded = z.output<typeof loginSucceededSchema>;
export type LoginFailed = z.output<typeof loginFailedSchema>;
export type SettingsChanged = z.output<typeof settingsChangedSchema>;
export type ContentDeleted = z.output<typeof contentDeletedSchema>;
export type ContentModified = z.output<typeof contentModifiedSchema>;
export type SessionEnded = z.output<typeof sessionEndedSchema>;
export type Setting = (typeof SETTINGS)[number];
export type ContentType = (typeof CONTENT_TYPES)[number];

/** The Kafka message key of an event: its account, or the hint for a failed login on an unknown account. */
export function eventKey(event: AccountEventInput): string {
  if (event.userId !== undefined) return event.userId;
  if (event.type === "login.failed" && event.accountHint !== undefined) return event.accountHint;
  return event.ip ?? event.id;
}
