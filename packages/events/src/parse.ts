import type { z } from "zod";
import {
  type AccountEvent,
  accountEventSchema,
  CLIENT_TEXT_LIMITS,
  type ClientField,
  EVENT_TYPES,
  INVALID_TEXT,
  MAX_EVENT_BYTES,
} from "./events.ts";
import { cleanText } from "./text.ts";

/**
 * Why a message was not accepted. `unknown_type` is skipped (a newer producer); the rest are
 * dead-lettered. `invalid_text`: an identifier holds text no store accepts (NUL, a control
 * character, an unpaired surrogate).
 */
export type RejectionKind =
  | "too_large"
  | "not_json"
  | "not_object"
  | "invalid"
  | "invalid_text"
  | "unknown_type";

export type ParseResult =
  | { ok: true; event: AccountEvent }
  | { ok: false; kind: RejectionKind; message: string; type?: string };

const knownTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes and validates one Kafka message value against docs/contract.md, "Input". Never throws. */
export function parseEvent(value: Uint8Array | null): ParseResult {
  const decoded = decodeValue(value);
  return decoded.ok ? validateEvent(decoded.data) : decoded;
}

export type DecodeResult = { ok: true; data: unknown } | { ok: false; kind: RejectionKind; message: string };

/** A message value as JSON, before validation: refused when too large, not UTF-8 or not JSON. Never throws. */
export function decodeValue(value: Uint8Array | null): DecodeResult {
  if (value === null) return { ok: false, kind: "not_json", message: "message has no value" };
  if (value.byteLength > MAX_EVENT_BYTES) {
    return {
      ok: false,
      kind: "too_large",
      message: `message is ${value.byteLength} bytes; the limit is ${MAX_EVENT_BYTES}`,
    };
  }
  try {
    return { ok: true, data: JSON.parse(decoder.decode(value)) };
  } catch (error) {
    // The parser quotes the input, which may hold anything: the message must be storable itself.
    return { ok: false, kind: "not_json", message: cleanText(`not UTF-8 JSON: ${(error as Error).message}`) };
  }
}

/** Validates an already decoded value. */
export function validateEvent(data: unknown): ParseResult {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, kind: "not_object", message: "event must be a JSON object" };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type === "string" && !knownTypes.has(type)) {
    const shown = cleanText(type, 64);
    return { ok: false, kind: "unknown_type", message: `unknown event type "${shown}"`, type: shown };
  }
  const result = accountEventSchema.safeParse(data);
  if (result.success) {
    const malformed = malformedFields(data as Record<string, unknown>, result.data);
    return { ok: true, event: malformed.length === 0 ? result.data : { ...result.data, malformed } };
  }
  const badText = result.error.issues.some((issue) => issue.message === INVALID_TEXT);
  return {
    ok: false,
    kind: badText ? "invalid_text" : "invalid",
    message: cleanText(describeIssues(result.error), 1000),
    ...(typeof type === "string" ? { type: cleanText(type, 64) } : {}),
  };
}

const clientFields = Object.keys(CLIENT_TEXT_LIMITS) as ClientField[];

/** The client-controlled fields the schema had to cut, clean or drop. */
function malformedFields(input: Record<string, unknown>, event: AccountEvent): ClientField[] {
  const fields = event as Partial<Record<ClientField, string>>;
  return clientFields.filter((field) => input[field] !== undefined && input[field] !== fields[field]);
}

/** One line naming every failing field: `occurredAt: must be an RFC 3339 timestamp with offset; ip: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(event)"}: ${issue.message}`)
    .join("; ");
}
