import { z } from "zod";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severitySchema = z.enum(SEVERITIES);

/** Orders severities: low 0 … critical 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const FLAG_STATUSES = ["open", "compromised", "legitimate"] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** Stable reason codes (docs/contract.md, "Flags"); more may be added, none renamed. */
export const REASON_CODES = [
  "new_country",
  "new_region",
  "new_network",
  "new_device",
  "impossible_travel",
  "brute_force",
  "password_spray",
  "credential_stuffing",
  "email_changed",
  "password_changed",
  "mfa_disabled",
  "recovery_changed",
  "mass_deletion",
  "mass_modification",
  "risky_session_activity",
  "session_context_changed",
  "mfa_changed",
  "api_token_changed",
  "username_changed",
  "privacy_changed",
  "mfa_failed",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const reasonSchema = z.object({
  code: z.enum(REASON_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Reason = z.output<typeof reasonSchema>;

export const locationSchema = z.object({
  country: z.string(),
  region: z.string().optional(),
  city: z.string().optional(),
});
export type Location = z.output<typeof locationSchema>;

export const flagSchema = z.object({
  id: z.string(),
  userId: z.string(),
  sessionId: z.string().nullable(),
  severity: severitySchema,
  score: z.number().int().min(0).max(100),
  status: z.enum(FLAG_STATUSES),
  reasons: z.array(reasonSchema),
  location: locationSchema.nullable(),
  firstEventAt: z.string(),
  lastEventAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  eventCount: z.number().int().min(0),
});
export type Flag = z.output<typeof flagSchema>;
