import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { eventJsonSchemas } from "./jsonSchema.ts";
import { validateEvent } from "./parse.ts";

// The JSON Schemas are what backends in other languages validate with: they must accept exactly
// the events the detector accepts, including the rule zod states as a refinement.
const schemas = eventJsonSchemas();
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const anyEvent = ajv.compile(schemas["account-event.json"] as object);

const base = { id: "e1", occurredAt: "2026-11-28T10:00:00+01:00", userId: "u1", sessionId: "s1" };
const login = { ...base, type: "login.succeeded", ip: "81.2.69.160" };
const anonymous = { id: "e2", occurredAt: "2026-11-28T09:00:00Z", type: "login.failed", ip: "1.2.3.4" };
const samples: [string, Record<string, unknown>][] = [
  ["a full login", { ...login, method: "password", mfa: true, userAgent: "UA", deviceId: "d1" }],
  ["an IPv6 login", { ...login, ip: "2001:db8::1" }],
  ["an IPv4-mapped IPv6 address", { ...login, ip: "::ffff:1.2.3.4" }],
  ["fractional seconds in UTC", { ...login, occurredAt: "2026-11-28T09:00:00.123Z" }],
  ["an unknown field", { ...login, unknownField: "ignored" }],
  ["a failed login", { ...base, type: "login.failed", ip: "81.2.69.160", reason: "bad_password" }],
  ["a failed login on an unknown account", { ...anonymous, reason: "unknown_account", accountHint: "h" }],
  ["an anonymous failed login not on an unknown account", { ...anonymous, reason: "locked" }],
  ["a settings change", { ...base, type: "settings.changed", setting: "email", action: "updated" }],
  ["a deletion", { ...base, type: "content.deleted", contentType: "album", count: 20 }],
  ["a modification without count", { ...base, type: "content.modified", contentType: "photo" }],
  ["a session end", { ...base, type: "session.ended", reason: "logout" }],
  ["an empty id", { ...login, id: "" }],
  ["an id over 128", { ...login, id: "x".repeat(129) }],
  ["a time without offset", { ...login, occurredAt: "2026-11-28T10:00:00" }],
  [
    "a space between date and time (RFC 3339, section 5.6)",
    { ...login, occurredAt: "2026-11-28 10:00:00.5+00:00" },
  ],
  ["lower-case t and z (RFC 3339, section 5.6)", { ...login, occurredAt: "2026-11-28t10:00:00z" }],
  ["an offset without its colon (not RFC 3339)", { ...login, occurredAt: "2026-11-28T10:00:00+0100" }],
  ["February 30th", { ...login, occurredAt: "2026-02-30T10:00:00Z" }],
  ["an IPv4 octet over 255", { ...login, ip: "300.1.1.1" }],
  ["an IPv4 octet with a leading zero", { ...login, ip: "1.2.3.04" }],
  ["an IPv6 zone", { ...login, ip: "fe80::1%eth0" }],
  ["a login without ip", { ...login, ip: undefined }],
  ["a login without session", { ...login, sessionId: undefined }],
  ["an unknown method", { ...login, method: "magic" }],
  ["mfa as a string", { ...login, mfa: "yes" }],
  ["a user agent over 1024", { ...login, userAgent: "x".repeat(1025) }],
  ["an unknown setting", { ...base, type: "settings.changed", setting: "shoe_size" }],
  ["a count of zero", { ...base, type: "content.deleted", contentType: "photo", count: 0 }],
  ["a fractional count", { ...base, type: "content.deleted", contentType: "photo", count: 1.5 }],
  ["an unknown end reason", { ...base, type: "session.ended", reason: "sleep" }],
];

describe("event JSON Schemas", () => {
  it("name a schema for every event type and for any event", () => {
    expect(Object.keys(schemas).sort()).toEqual([
      "account-event.json",
      "events/content.deleted.json",
      "events/content.modified.json",
      "events/login.failed.json",
      "events/login.succeeded.json",
      "events/session.ended.json",
      "events/settings.changed.json",
    ]);
  });

  it.each(samples)("agree with the detector on %s", (_name, event) => {
    const accepted = validateEvent(event).ok;
    expect(anyEvent(event), "account-event.json").toBe(accepted);
    const own = ajv.compile(schemas[`events/${String(event.type)}.json`] as object);
    expect(own(event), `events/${String(event.type)}.json`).toBe(accepted);
  });

  it("state the refinement: a failed login names its user unless the account is unknown", () => {
    expect(anyEvent({ ...anonymous, reason: "unknown_account" })).toBe(true);
    expect(anyEvent({ ...anonymous, reason: "bad_password" })).toBe(false);
  });
});
