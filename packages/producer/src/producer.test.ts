import { accountEventSchema } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { InvalidEventError } from "./errors.ts";
import { fakeProducer, rejection } from "./fakeTransport.ts";
import { prepare, withDefaults } from "./prepare.ts";
import type { ActivityProducer } from "./producer.ts";

const session = { userId: "u1", sessionId: "s1" };
const ip = "81.2.69.160";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const setup = fakeProducer;

describe("helpers", () => {
  it("set the type and fill id and occurredAt", async () => {
    const { vigil, batches } = setup();
    const before = Date.now();
    const event = await vigil.loginSucceeded({ ...session, ip, method: "passkey", mfa: true });
    expect(event).toMatchObject({ type: "login.succeeded", ...session, ip, method: "passkey", mfa: true });
    expect(event.id).toMatch(uuid);
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(event.occurredAt).toMatch(/Z$|[+-]\d\d:\d\d$/);
    expect(JSON.parse(batches[0]?.messages[0]?.value ?? "")).toEqual(event);
  });

  it("keep a given id and occurredAt, and write a Date as ISO", async () => {
    const { vigil } = setup();
    const at = "2026-11-28T10:00:00+01:00";
    expect(await vigil.sessionEnded({ ...session, id: "e1", occurredAt: at })).toMatchObject({
      id: "e1",
      occurredAt: at,
    });
    const date = new Date("2026-11-28T09:00:00Z");
    expect((await vigil.sessionEnded({ ...session, occurredAt: date })).occurredAt).toBe(
      "2026-11-28T09:00:00.000Z",
    );
  });

  it.each([
    ["loginFailed", { ...session, ip, reason: "bad_password" }, "login.failed"],
    ["settingsChanged", { ...session, setting: "mfa", action: "disabled" }, "settings.changed"],
    ["contentDeleted", { ...session, contentType: "album", count: 20 }, "content.deleted"],
    ["contentModified", { ...session, contentType: "photo", count: 3 }, "content.modified"],
    ["sessionEnded", { ...session, reason: "logout" }, "session.ended"],
  ] as const)("%s builds a %s event", async (helper, fields, type) => {
    const { vigil, batches } = setup();
    const send = vigil[helper] as (f: typeof fields) => Promise<unknown>;
    const event = await send(fields);
    expect(event).toMatchObject({ ...fields, type });
    expect(accountEventSchema.parse(JSON.parse(batches[0]?.messages[0]?.value ?? ""))).toEqual(event);
  });

  it("defaults the content count to 1 on the wire", async () => {
    const { vigil, batches } = setup();
    expect(await vigil.contentModified({ ...session, contentType: "comment" })).toMatchObject({ count: 1 });
    expect(JSON.parse(batches[0]?.messages[0]?.value ?? "")).toMatchObject({ count: 1 });
  });

  it("send takes a complete event of any type", async () => {
    const { vigil } = setup();
    const event = {
      ...session,
      type: "content.deleted",
      id: "e9",
      occurredAt: "2026-11-28T10:00:00Z",
      contentType: "photo",
    } as const;
    expect(await vigil.send(event)).toEqual({ ...event, count: 1 });
  });
});

describe("validation", () => {
  it.each([
    [
      "login.succeeded without userId",
      (v: V) => v.loginSucceeded({ sessionId: "s1", ip } as never),
      ["userId"],
    ],
    ["a bad ip", (v: V) => v.loginSucceeded({ ...session, ip: "300.1.1.1" }), ["ip"]],
    [
      "a bad occurredAt",
      (v: V) => v.sessionEnded({ ...session, occurredAt: "2026-11-28T10:00:00" }),
      ["occurredAt"],
    ],
    [
      "an invalid Date",
      (v: V) => v.sessionEnded({ ...session, occurredAt: new Date("nope") }),
      ["occurredAt"],
    ],
    [
      "an unknown setting",
      (v: V) => v.settingsChanged({ ...session, setting: "shoe_size" as never }),
      ["setting"],
    ],
    ["a zero count", (v: V) => v.contentDeleted({ ...session, contentType: "photo", count: 0 }), ["count"]],
    [
      "a failed login without user or unknown_account",
      (v: V) => v.loginFailed({ ip, reason: "locked" }),
      ["userId"],
    ],
    [
      "several fields at once",
      (v: V) => v.loginSucceeded({ userId: "", sessionId: "s1", ip: "nope", occurredAt: "yesterday" }),
      ["userId", "ip", "occurredAt"],
    ],
    ["an unknown type via send", (v: V) => v.send({ ...session, type: "photo.liked" } as never), ["type"]],
  ])("rejects %s, naming the fields, and sends nothing", async (_name, call, paths) => {
    const { vigil, batches } = setup();
    const error = await rejection(call(vigil));
    expect(error).toBeInstanceOf(InvalidEventError);
    const invalid = error as InvalidEventError;
    expect(invalid.issues.map((i) => i.path).toSorted()).toEqual(paths.toSorted());
    for (const path of paths) expect(invalid.message).toContain(`${path}: `);
    await vigil.flush();
    expect(batches).toHaveLength(0);
  });

  it("sends an oversized or garbled user agent and device id cut and cleaned, never refusing the event", async () => {
    const { vigil, batches } = setup();
    const event = await vigil.loginSucceeded({
      ...session,
      ip,
      userAgent: `Mozilla/5.0\u0000${"x".repeat(3000)}`,
      deviceId: "d".repeat(300),
    });
    const sent = JSON.parse(batches[0]?.messages[0]?.value ?? "");
    expect(sent.userAgent).toBe(`Mozilla/5.0 ${"x".repeat(1024 - 12)}`);
    expect(sent.deviceId).toBe("d".repeat(128));
    expect(sent).toEqual(event);
  });

  it("explains the failure in the message", async () => {
    const { vigil } = setup();
    const error = await rejection(vigil.sessionEnded({ ...session, occurredAt: "2026-11-28 10:00" }));
    expect((error as Error).message).toBe(
      "invalid session.ended event: occurredAt: must be an RFC 3339 timestamp with offset",
    );
  });

  it("rejects an event whose JSON is over the size limit", () => {
    // The schema's field limits keep a valid event far below 64 KiB today (unknown fields are
    // dropped), so the check is exercised with a smaller limit.
    const event = withDefaults("session.ended", { ...session, userAgent: "x".repeat(200) });
    expect(() => prepare(event, 100)).toThrow(
      /^invalid session.ended event: \(event\): is \d+ bytes as JSON; the limit is 100$/,
    );
    expect(prepare(event).key).toBe("u1");
  });
});

describe("keys", () => {
  it("keys by userId, or by accountHint for a failed login on an unknown account", async () => {
    const { vigil, batches } = setup();
    await Promise.all([
      vigil.loginSucceeded({ ...session, ip }),
      vigil.loginFailed({ userId: "u2", ip, reason: "bad_password", accountHint: "ignored" }),
      vigil.loginFailed({ ip, reason: "unknown_account", accountHint: "hint-7" }),
      vigil.settingsChanged({ userId: "u3", sessionId: "s3", setting: "email" }),
    ]);
    expect(batches[0]?.messages.map((m) => m.key)).toEqual(["u1", "u2", "hint-7", "u3"]);
  });

  it("sends to account-activity unless told otherwise", async () => {
    const plain = setup();
    await plain.vigil.sessionEnded(session);
    expect(plain.batches[0]?.topic).toBe("account-activity");
    const prefixed = setup({ topic: "t1.account-activity" });
    await prefixed.vigil.sessionEnded(session);
    expect(prefixed.batches[0]?.topic).toBe("t1.account-activity");
  });
});

type V = ActivityProducer;
