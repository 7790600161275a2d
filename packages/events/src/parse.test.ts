import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "./events.ts";
import { parseEvent, validateEvent } from "./parse.ts";

const base = { id: "e1", occurredAt: "2026-11-28T10:00:00+01:00", userId: "u1", sessionId: "s1" };
const valid = [
  { ...base, type: "login.succeeded", ip: "81.2.69.160", method: "password", mfa: true, userAgent: "UA" },
  { ...base, type: "login.succeeded", ip: "2001:db8::1", deviceId: "d1" },
  { ...base, type: "login.failed", ip: "81.2.69.160", reason: "bad_password" },
  {
    id: "e2",
    occurredAt: "2026-11-28T09:00:00Z",
    type: "login.failed",
    ip: "1.2.3.4",
    reason: "unknown_account",
    accountHint: "h",
  },
  { ...base, type: "settings.changed", setting: "email", action: "updated" },
  { ...base, type: "settings.changed", setting: "mfa", action: "disabled", ip: "::ffff:1.2.3.4" },
  { ...base, type: "content.deleted", contentType: "album", count: 20 },
  { ...base, type: "content.modified", contentType: "photo" },
  { ...base, type: "session.ended", reason: "logout" },
  { ...base, type: "session.ended" },
];

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("parseEvent", () => {
  it.each(valid.map((e) => [e.type, e] as const))("accepts a valid %s", (_type, event) => {
    const result = parseEvent(bytes(event));
    expect(result).toMatchObject({ ok: true, event: { id: event.id, type: event.type } });
  });

  it("defaults content count to 1", () => {
    const result = parseEvent(bytes({ ...base, type: "content.deleted", contentType: "photo" }));
    expect(result.ok && result.event.type === "content.deleted" && result.event.count).toBe(1);
  });

  it.each([
    ["missing id", { ...valid[0], id: undefined }, "id"],
    ["empty userId", { ...valid[0], userId: "" }, "userId"],
    ["id over 128", { ...valid[0], id: "x".repeat(129) }, "id"],
    [
      "timestamp without offset",
      { ...valid[0], occurredAt: "2026-11-28T10:00:00" },
      "occurredAt: must be an RFC 3339",
    ],
    ["not a timestamp", { ...valid[0], occurredAt: "yesterday" }, "occurredAt"],
    ["bad ip", { ...valid[0], ip: "300.1.1.1" }, "ip: must be an IPv4 or IPv6 address"],
    ["login without ip", { ...valid[0], ip: undefined }, "ip"],
    ["login without session", { ...valid[0], sessionId: undefined }, "sessionId"],
    ["unknown method", { ...valid[0], method: "magic" }, "method"],
    [
      "failed login without user",
      { ...valid[2], userId: undefined },
      "userId: is required unless reason is unknown_account",
    ],
    ["unknown setting", { ...valid[4], setting: "shoe_size" }, "setting"],
    ["count zero", { ...valid[6], count: 0 }, "count"],
    ["fractional count", { ...valid[6], count: 1.5 }, "count"],
    ["user agent too long", { ...valid[0], userAgent: "x".repeat(1025) }, "userAgent"],
    ["missing type", { ...base }, "type"],
  ])("rejects %s with the field named", (_name, event, expected) => {
    const result = parseEvent(bytes(event));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe("invalid");
      expect(result.message).toContain(expected);
    }
  });

  it("skips an unknown type instead of rejecting it", () => {
    expect(parseEvent(bytes({ ...base, type: "photo.liked" }))).toMatchObject({
      ok: false,
      kind: "unknown_type",
      type: "photo.liked",
    });
  });

  it("rejects non-JSON, non-UTF-8, non-objects and missing values", () => {
    expect(parseEvent(new TextEncoder().encode("{nope"))).toMatchObject({ ok: false, kind: "not_json" });
    expect(parseEvent(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, kind: "not_json" });
    expect(parseEvent(bytes([1, 2]))).toMatchObject({ ok: false, kind: "not_object" });
    expect(parseEvent(null)).toMatchObject({ ok: false, kind: "not_json" });
  });

  it("rejects a message over 64 KiB before parsing it", () => {
    const big = bytes({ ...valid[0], userAgent: "x".repeat(MAX_EVENT_BYTES) });
    expect(parseEvent(big)).toMatchObject({ ok: false, kind: "too_large" });
  });

  it("validates already decoded values", () => {
    expect(validateEvent(valid[0]).ok).toBe(true);
  });
});
