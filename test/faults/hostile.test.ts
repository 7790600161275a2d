import { DLQ_HEADERS } from "@vigil/events";
import { sampleIps } from "@vigil/geo";
import { afterAll, describe, expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { killAllDetectors } from "./support/detector.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { MESSAGE_ID_HEADER, readAll } from "./support/state.ts";
import { asMessages, type Outgoing, produceAll, seededStream } from "./support/stream.ts";

/**
 * Hostile bytes, as an attacker would send them (issue 12): NUL, unpaired surrogates and control
 * characters in every place a message can carry text — ids, client fields, headers, keys, the value
 * itself — spread over every partition before a normal stream. None may stop a partition: each is
 * dead-lettered with its reason or accepted cleaned, and the normal stream ends as it does alone.
 */

const KIND_HEADER = "hostile-kind";
const ip = sampleIps({ country: "NL", count: 1, seed: 12 })[0] as string;
const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 86_400_000).toISOString();
const lure = "Your account is locked. Verify now at https://evil.example/verify";

/** One hostile message of each kind for user `u` (the kinds cycle, so 96 messages give 8 of each). */
const KINDS: ((u: string, i: number) => Hostile)[] = [
  (u, i) =>
    event(
      u,
      {
        id: `h${i}`,
        type: "login.failed",
        userId: u,
        ip,
        reason: "bad_password",
        deviceId: "\u0000",
      },
      "accepted",
      { deviceId: undefined },
    ),
  (u, i) =>
    event(u, { id: `h${i}\ud800`, type: "login.succeeded", userId: u, sessionId: "s", ip }, "invalid_text"),
  (u, i) =>
    event(
      u,
      { id: `h${i}`, type: "login.succeeded", userId: `${u}\u0000`, sessionId: "s", ip },
      "invalid_text",
    ),
  (u, i) =>
    event(u, { id: `h${i}`, type: "session.ended", userId: u, sessionId: "s\u001b[2J" }, "invalid_text"),
  (u, i) => ({
    ...event(u, { id: `h${i}`, type: "login.succeeded", userId: u, ip }, "invalid"),
    headers: { "trace\u0000id": "a\u0000b\ud800" },
  }),
  (u, i) => ({
    ...event(u, { id: `h${i}`, type: "settings.changed", userId: u }, "invalid"),
    key: `${u}\u0000`,
  }),
  (u) => ({ key: u, value: Buffer.from([0]), expected: "not_json" }),
  (u, i) =>
    event(
      u,
      {
        id: `h${i}`,
        type: "login.succeeded",
        userId: u,
        sessionId: `s${i}`,
        ip,
        userAgent: `${lure}\u0000\ud800\u0007`,
      },
      "accepted",
      { userAgent: `${lure} \ufffd` },
    ),
  (_u, i) =>
    event(
      `hint${i}`,
      {
        id: `h${i}`,
        type: "login.failed",
        ip,
        reason: "unknown_account",
        accountHint: "\u0000x",
      },
      "accepted",
      { accountHint: "x" },
    ),
  (u) => ({ key: u, value: Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x22]), expected: "not_json" }),
  (u, i) => event(u, { id: `h${i}`, type: "x\u0000", userId: u }, "skipped"),
  (u, i) =>
    event(
      u,
      {
        id: `h${i}`,
        type: "login.succeeded",
        userId: u,
        sessionId: `s${i}`,
        ip,
        deviceId: "d".repeat(500),
        userAgent: "u".repeat(5000),
      },
      "accepted",
      { deviceId: "d".repeat(128), userAgent: "u".repeat(1024) },
    ),
];

type Hostile = Outgoing & { expected: string; reference?: Outgoing };

/**
 * A hostile event; `cleaned` (for those to be accepted) lists the fields as the schema is meant to
 * leave them (undefined: dropped), which the reference run gets instead.
 */
function event(
  key: string,
  fields: Record<string, unknown>,
  expected = "accepted",
  cleaned: Record<string, unknown> = {},
): Hostile {
  const value = { occurredAt: at, ...fields };
  const reference = { key, value: JSON.stringify({ ...value, ...cleaned }) };
  return { key, value: JSON.stringify(value), expected, ...(expected === "accepted" ? { reference } : {}) };
}

function hostileMessages(count: number): Hostile[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
    const message = kind(`hostile-${i}`, i);
    return { ...message, headers: { ...message.headers, [KIND_HEADER]: String(i % KINDS.length) } };
  });
}

describe("96 hostile messages over every partition, before a normal stream", () => {
  const brokers = testBrokers();
  const valid = asMessages(seededStream({ seed: 12, users: 60, days: 7 }));
  const hostile = hostileMessages(96);
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("dead-letters or cleans each one, stays ready, and scores the stream as it would alone", async () => {
    // The reference: the same stream, preceded by the accepted hostile events as the schema cleans them.
    const cleaned = hostile.flatMap((message) => (message.reference ? [message.reference] : []));
    const reference = await uninterruptedRun(brokers, [...cleaned, ...valid]);

    const current = await deployment(brokers);
    run = current;
    const detector = await current.start();
    await detector.ready();
    await produceAll(brokers, current.topics.activity, [...hostile, ...valid]);
    const state = await current.settle(120_000, detector.output);

    const dead = new Map<string, { reason: string; partition: string }>();
    for (const message of await readAll(brokers, current.topics.deadLetter)) {
      const id = message.headers[MESSAGE_ID_HEADER] ?? "";
      dead.set(id, {
        reason: message.headers[DLQ_HEADERS.reason] ?? "",
        partition: message.headers[DLQ_HEADERS.sourcePartition] ?? "",
      });
    }
    const expectedDead = hostile.filter((m) => m.expected !== "accepted" && m.expected !== "skipped");
    expect(
      [...dead.values()].map((d) => d.reason).sort(),
      "each rejected message on the dead-letter topic once, with its reason",
    ).toEqual(expectedDead.map((m) => m.expected).sort());
    expect(new Set([...dead.values()].map((d) => d.partition)).size, "from every partition").toBe(3);

    const response = await fetch(`${detector.url}/readyz`);
    expect(response.status, await response.text()).toBe(200);
    expect(detector.exit(), "the detector never exited").toBeNull();
    expect(state.flags.size, "the stream raised flags").toBeGreaterThan(0);
    expectSameFinalState(state, reference, { sameInput: false });
    await detector.terminate();
  }, 360_000);
});
