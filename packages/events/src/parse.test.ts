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

  it.each([
    [
      "a space between date and time, as Python's str(datetime) writes it",
      "2026-11-28 09:00:00.123456+00:00",
      "2026-11-28T09:00:00.123456+00:00",
    ],
    ["lower-case t and z", "2026-11-28t09:00:00z", "2026-11-28T09:00:00Z"],
  ])("accepts RFC 3339's other forms (%s) and keeps its usual one", (_name, occurredAt, kept) => {
    const result = parseEvent(bytes({ ...valid[0], occurredAt }));
    expect(result.ok && result.event.occurredAt).toBe(kept);
    expect(result.ok && Date.parse(result.event.occurredAt)).toBe(
      Date.parse("2026-11-28T09:00:00Z") + (kept.includes(".123") ? 123 : 0),
    );
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
    ["missing type", { ...base }, "type"],
  ])("rejects %s with the field named", (_name, event, expected) => {
    const result = parseEvent(bytes(event));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe("invalid");
      expect(result.message).toContain(expected);
    }
  });

  it.each([
    ["a NUL in the event id", { ...valid[0], id: "e\u0000" }, "id"],
    ["a lone surrogate in the user id", { ...valid[0], userId: "u\ud800" }, "userId"],
    ["a control character in the session id", { ...valid[0], sessionId: "s\u001b[2J" }, "sessionId"],
    ["a DEL in the session id", { ...valid[5], sessionId: "s\u007f" }, "sessionId"],
  ])("rejects %s as invalid_text", (_name, event, field) => {
    const result = parseEvent(bytes(event));
    expect(result).toMatchObject({ ok: false, kind: "invalid_text" });
    if (!result.ok) expect(result.message).toContain(`${field}: must not contain NUL`);
  });

  it("cuts oversized client fields to their limits and names them as malformed, keeping the event", () => {
    const result = parseEvent(
      bytes({
        ...valid[3],
        userAgent: "x".repeat(5000),
        deviceId: "d".repeat(500),
        accountHint: "h".repeat(300),
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok || result.event.type !== "login.failed") return;
    expect(result.event.userAgent).toHaveLength(1024);
    expect(result.event.deviceId).toHaveLength(128);
    expect(result.event.accountHint).toHaveLength(256);
    expect(result.event.malformed).toEqual(["userAgent", "deviceId", "accountHint"]);
  });

  it("cleans control characters and lone surrogates out of client text, and drops what is not text", () => {
    const result = validateEvent({ ...valid[0], userAgent: "Mozilla\u0000/5.0\ud800 x", deviceId: 42 });
    expect(result).toMatchObject({
      ok: true,
      event: { userAgent: "Mozilla /5.0\ufffd x", malformed: ["userAgent", "deviceId"] },
    });
    expect(result.ok && result.event.deviceId).toBeUndefined();
    expect(validateEvent({ ...valid[0], deviceId: "\u0000\u0001" })).toMatchObject({
      ok: true,
      event: { malformed: ["deviceId"] },
    });
  });

  it("does not take the malformed marker from the input, nor mark well-formed client fields", () => {
    const result = validateEvent({ ...valid[0], malformed: ["userAgent"] });
    expect(result.ok && result.event.malformed).toBeUndefined();
  });

  it("never cuts a surrogate pair in half", () => {
    const result = validateEvent({ ...valid[0], userAgent: `${"x".repeat(1023)}😀` });
    expect(result.ok && result.event.userAgent).toBe("x".repeat(1023));
  });

  it("keeps the NUL of a one-byte message out of its rejection message", () => {
    const result = parseEvent(new Uint8Array([0]));
    expect(result).toMatchObject({ ok: false, kind: "not_json" });
    if (!result.ok) expect(result.message).not.toContain("\u0000");
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
