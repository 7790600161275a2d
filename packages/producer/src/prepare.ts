import { randomUUID } from "node:crypto";
import {
  type AccountEvent,
  type AccountEventInput,
  accountEventSchema,
  type EventType,
  eventKey,
  MAX_EVENT_BYTES,
} from "@vigil/events";
import { InvalidEventError } from "./errors.ts";

/** A helper's argument: the event's own fields, without `type`; `id` and `occurredAt` may be left out. */
export type EventFields<T extends EventType> = Omit<
  Extract<AccountEventInput, { type: T }>,
  "type" | "id" | "occurredAt"
> & {
  /** Defaults to a random UUID. Reuse an id when re-sending: the detector treats it as the same event. */
  id?: string;
  /** Defaults to now. A Date is written as an ISO timestamp in UTC. */
  occurredAt?: string | Date;
};

/** A validated event and the Kafka message that carries it. */
export interface PreparedEvent {
  event: AccountEvent;
  key: string;
  value: string;
}

/** Completes a helper's fields into a full event: the type, plus an id and time when omitted. */
export function withDefaults<T extends EventType>(type: T, fields: EventFields<T>): AccountEventInput {
  const { id, occurredAt, ...rest } = fields;
  return { ...rest, type, id: id ?? randomUUID(), occurredAt: timestamp(occurredAt) } as AccountEventInput;
}

function timestamp(value: string | Date | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (typeof value === "string") return value;
  // An invalid Date would throw in toISOString(); let validation name the field instead.
  return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
}

/**
 * Validates with the detector's own schema and encodes the message, or throws InvalidEventError.
 * The value is the parsed event, so defaults (such as `count`) are explicit on the wire and unknown
 * fields are dropped. The size check guards the contract's limit even though today's field limits
 * keep a valid event far below it; `maxBytes` lets tests reach it.
 */
export function prepare(input: AccountEventInput, maxBytes = MAX_EVENT_BYTES): PreparedEvent {
  // Plain JavaScript callers may pass anything; the type only labels the error.
  const claimed = (input as { type?: unknown } | null | undefined)?.type;
  const type = typeof claimed === "string" ? claimed : undefined;
  const result = accountEventSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new InvalidEventError(issues, type);
  }
  const value = JSON.stringify(result.data);
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) {
    const message = `is ${bytes} bytes as JSON; the limit is ${maxBytes}`;
    throw new InvalidEventError([{ path: "", message }], type);
  }
  return { event: result.data, key: eventKey(result.data), value };
}
