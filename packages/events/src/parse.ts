import type { z } from "zod";
import { type AccountEvent, accountEventSchema, EVENT_TYPES, MAX_EVENT_BYTES } from "./events.ts";

/** Why a message was not accepted. `unknown_type` is skipped (a newer producer); the rest are dead-lettered. */
export type RejectionKind = "too_large" | "not_json" | "not_object" | "invalid" | "unknown_type";

export type ParseResult =
  | { ok: true; event: AccountEvent }
  | { ok: false; kind: RejectionKind; message: string; type?: string };

const knownTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes and validates one Kafka message value against CONTRACT.md §1. Never throws. */
export function parseEvent(value: Uint8Array | null): ParseResult {
  if (value === null) return { ok: false, kind: "not_json", message: "message has no value" };
  if (value.byteLength > MAX_EVENT_BYTES) {
    return {
      ok: false,
      kind: "too_large",
      message: `message is ${value.byteLength} bytes; the limit is ${MAX_EVENT_BYTES}`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(decoder.decode(value));
  } catch (error) {
    return { ok: false, kind: "not_json", message: `not UTF-8 JSON: ${(error as Error).message}` };
  }
  return validateEvent(data);
}

/** Validates an already decoded value. */
export function validateEvent(data: unknown): ParseResult {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, kind: "not_object", message: "event must be a JSON object" };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type === "string" && !knownTypes.has(type)) {
    return { ok: false, kind: "unknown_type", message: `unknown event type "${type}"`, type };
  }
  const result = accountEventSchema.safeParse(data);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    kind: "invalid",
    message: describeIssues(result.error),
    ...(typeof type === "string" ? { type } : {}),
  };
}

/** One line naming every failing field: `occurredAt: must be an RFC 3339 timestamp with offset; ip: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(event)"}: ${issue.message}`)
    .join("; ");
}
