import { type AccountEventInput, eventKey, MAX_EVENT_BYTES, parseEvent } from "@vigil/events";
import type { Outgoing } from "./stream.ts";

/** Headers that identify a fuzzed message; the dead-letter topic keeps the original headers. */
export const FUZZ_ID = "fuzz-id";
export const FUZZ_KIND = "fuzz-kind";

export type FuzzKind =
  | "truncated"
  | "wrong_type"
  | "missing_field"
  | "invalid_ip"
  | "oversized"
  | "near_broker_limit"
  | "binary"
  | "not_object"
  | "no_value"
  | "far_future"
  | "long_id"
  | "bad_text"
  | "nul_value"
  | "unknown_type";

export interface FuzzMessage extends Outgoing {
  kind: FuzzKind;
  /** The dead-letter reason the contract calls for, or "skipped" for unknown types. */
  expected: string;
  /** Part of the run of oversized messages on one key. */
  burst: boolean;
}

/**
 * A value as large as the broker takes on a topic with the default limit (1 MiB record batches):
 * accepted on `account-activity`, but its dead-letter copy, with the reason headers added, is not.
 */
export const NEAR_BROKER_LIMIT = 1_048_588 - 200;

/** Kinds and their weights; every kind appears in any realistic count. */
const KINDS: readonly [FuzzKind, number][] = [
  ["truncated", 16],
  ["wrong_type", 16],
  ["missing_field", 14],
  ["invalid_ip", 12],
  ["binary", 12],
  ["not_object", 6],
  ["unknown_type", 8],
  ["far_future", 5],
  ["long_id", 4],
  ["bad_text", 8],
  ["nul_value", 2],
  ["no_value", 3],
  ["oversized", 1],
];

const WRONG_VALUES: readonly unknown[] = [42, -1.5, true, null, {}, [], "not-a-date", ""];
const BAD_IPS = ["999.10.1.1", "1.2.3", "1.2.3.4.5", "::gg", "localhost", "", "256.256.256.256", "01.2.3.4"];
/** What PostgreSQL refuses or a reader is misled by: NUL, unpaired surrogates, escape sequences. */
const BAD_TEXT = ["\u0000", "\ud800", "\udfff", "\u001b[2J", "\u007f", "a\u0000b"];
const UNKNOWN_TYPES = ["photo.liked", "account.merged", "login.attempted", "session.renewed"];

/**
 * Seeded malformed messages of every kind the contract names (not JSON, truncated, wrong types,
 * missing fields, invalid IPs, over 64 KiB, binary garbage, not an object, no value, dated far in
 * the future, ids with NUL, unpaired surrogates or controls, a lone NUL byte) plus unknown types,
 * which are skipped rather than dead-lettered. Templates are real events of the stream, so that
 * the keys and shapes are those a platform would send. One run of `burst` oversized messages on one
 * key comes in the middle.
 */
export function fuzzMessages(
  random: () => number,
  count: number,
  templates: AccountEventInput[],
  options: { burst: number; now: number },
): FuzzMessage[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const total = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
  const kindOf = (): FuzzKind => {
    let roll = random() * total;
    for (const [kind, weight] of KINDS) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return "truncated";
  };
  const messages: FuzzMessage[] = [];
  const burstAt = Math.floor((count - options.burst) / 2);
  const burstKey = eventKey(pick(templates));
  for (let i = 0; messages.length < count; i++) {
    const burst = messages.length >= burstAt && messages.length < burstAt + options.burst;
    const kind: FuzzKind = burst
      ? "oversized"
      : messages.length === burstAt - 1
        ? "near_broker_limit"
        : kindOf();
    const template = { ...pick(templates) } as Record<string, unknown>;
    template.id = `fuzz-${i}`;
    let key =
      random() < 0.8 ? eventKey(template as AccountEventInput) : `fuzz-key-${Math.floor(random() * 50)}`;
    let value: string | Buffer | null;
    let headers: Record<string, string> = {};
    switch (kind) {
      case "truncated": {
        const text = JSON.stringify(template);
        value = text.slice(0, 1 + Math.floor(random() * (text.length - 1)));
        break;
      }
      case "wrong_type": {
        const field = pick(Object.keys(template).filter((k) => k !== "type"));
        template[field] = pick(WRONG_VALUES);
        value = JSON.stringify(template);
        break;
      }
      case "missing_field": {
        const required = ["id", "occurredAt", "type", "userId", "sessionId", "ip"].filter(
          (k) => k in template,
        );
        delete template[pick(required)];
        value = JSON.stringify(template);
        break;
      }
      case "invalid_ip":
        template.ip = pick(BAD_IPS);
        value = JSON.stringify(template);
        break;
      case "oversized":
        if (burst) key = burstKey;
        template.padding = "x".repeat(MAX_EVENT_BYTES + Math.floor(random() * 8192));
        value = JSON.stringify(template);
        break;
      case "near_broker_limit": {
        key = "fuzz-near-limit";
        const text = JSON.stringify({ ...template, padding: "" });
        value = `${text.slice(0, -2)}${"y".repeat(NEAR_BROKER_LIMIT - text.length)}"}`;
        break;
      }
      case "binary":
        value = Buffer.from(
          Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
        );
        break;
      case "not_object":
        value = pick([
          "[1,2,3]",
          "42",
          '"login.succeeded"',
          "null",
          "true",
          "[]",
          `[${JSON.stringify(template)}]`,
        ]);
        break;
      case "no_value":
        value = null;
        break;
      case "far_future":
        template.occurredAt = new Date(options.now + (1 + random() * 300) * 86_400_000).toISOString();
        value = JSON.stringify(template);
        break;
      case "long_id":
        template.id = `fuzz-${i}-${"z".repeat(130)}`;
        value = JSON.stringify(template);
        break;
      case "bad_text": {
        // An id with text no store takes, its key and headers too (they reach the dead letter).
        const field = pick(["id", "userId", "sessionId"].filter((k) => k in template));
        template[field] = `${String(template[field])}${pick(BAD_TEXT)}`;
        key = `${key}${pick(BAD_TEXT)}`;
        headers = { [`h${pick(BAD_TEXT)}`]: pick(BAD_TEXT) };
        value = JSON.stringify(template);
        break;
      }
      case "nul_value":
        value = Buffer.from([0]);
        break;
      case "unknown_type":
        template.type = pick(UNKNOWN_TYPES);
        value = JSON.stringify(template);
        break;
    }
    const expected = expectation(kind, value, options.now);
    // A mutation that happens to leave a valid event (e.g. a wrong value in an optional field the
    // schema coerces) is not malformed: draw again.
    if (expected === null) continue;
    const id = String(messages.length);
    messages.push({
      key,
      value,
      headers: { ...headers, [FUZZ_ID]: id, [FUZZ_KIND]: kind },
      kind,
      expected,
      burst,
    });
  }
  return messages;
}

/** What the contract says happens to this value: a dead-letter reason, "skipped", or null if valid. */
function expectation(kind: FuzzKind, value: string | Buffer | null, now: number): string | null {
  const result = parseEvent(value === null ? null : typeof value === "string" ? Buffer.from(value) : value);
  if (result.ok) {
    if (kind === "far_future" && Date.parse(result.event.occurredAt) > now + 10 * 60_000)
      return "future_event";
    return null;
  }
  return result.kind === "unknown_type" ? "skipped" : result.kind;
}

/** Mixes `extra` into `stream` at seeded positions; the stream keeps its own order. */
export function interleave<T>(random: () => number, stream: T[], extra: T[]): T[] {
  const slots = new Map<number, T[]>();
  for (const item of extra) {
    const at = Math.floor(random() * (stream.length + 1));
    slots.set(at, [...(slots.get(at) ?? []), item]);
  }
  const mixed: T[] = [];
  for (let i = 0; i <= stream.length; i++) {
    for (const item of slots.get(i) ?? []) mixed.push(item);
    const next = stream[i];
    if (next !== undefined) mixed.push(next);
  }
  return mixed;
}
