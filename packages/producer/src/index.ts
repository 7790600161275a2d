/**
 * @vigil/producer: send account activity to Vigil from a platform backend. Events are validated
 * with the detector's own schema before they leave the process, keyed by account, and batched
 * through an idempotent producer.
 *
 * ```ts
 * import { createActivityProducer, InvalidEventError } from "@vigil/producer";
 *
 * const vigil = createActivityProducer({ brokers: ["kafka-1:9092", "kafka-2:9092"] });
 *
 * // id defaults to a random UUID and occurredAt to now; resolves once the broker acknowledged it.
 * await vigil.loginSucceeded({ userId: "u-42", sessionId: "s-9f1", ip: "203.0.113.7", method: "password", mfa: true });
 * await vigil.settingsChanged({ userId: "u-42", sessionId: "s-9f1", setting: "email", action: "updated" });
 * await vigil.loginFailed({ ip: "198.51.100.23", reason: "unknown_account", accountHint: "hash-of-typed-login" });
 *
 * try {
 *   await vigil.contentDeleted({ userId: "u-42", sessionId: "s-9f1", contentType: "album", count: 0 });
 * } catch (error) {
 *   if (error instanceof InvalidEventError) console.error(error.issues); // [{ path: "count", message: "..." }]
 * }
 *
 * await vigil.close(); // flushes what is waiting, then disconnects
 * ```
 */
export type { EventIssue } from "./errors.ts";
export { InvalidEventError, ProducerClosedError } from "./errors.ts";
export type { EventFields } from "./prepare.ts";
export type { ActivityProducer, ActivityProducerOptions, ProducerSettings } from "./producer.ts";
export { createActivityProducer } from "./producer.ts";
