import { DLQ_HEADERS, parseEvent } from "@vigil/events";
import { sampleIps } from "@vigil/geo";
import type { Sql } from "@vigil/store";
import { storeBackends } from "@vigil/store/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedTopics } from "../../../../test/support/kafka.ts";
import type { InboundMessage, Publisher } from "../kafka/types.ts";
import { active, testPipeline, testPublisher } from "./testing.ts";

// Arbitrary Unicode — NUL, lone surrogates, controls, noncharacters, anything — in every string
// field of every event type, and in keys and headers, through parse, the engine and the store's one
// transaction, on both backends: every batch commits, each hostile message is stored (cleaned) or
// dead-lettered, and the valid events around it are stored and scored as usual.

const { topics } = isolatedTopics();
const ip = sampleIps({ country: "DE", city: "Berlin", count: 1, seed: 5 })[0] as string;
const at = "2026-11-20T10:00:00Z";

/** One valid event of each type; the property replaces one or more of their string fields. */
const TEMPLATES: Record<string, unknown>[] = [
  { type: "login.succeeded", userId: "u", sessionId: "s", ip, method: "password", userAgent: "Mozilla/5.0" },
  { type: "login.failed", userId: "u", ip, reason: "bad_password", deviceId: "d" },
  { type: "login.failed", ip, reason: "unknown_account", accountHint: "h" },
  { type: "settings.changed", userId: "u", sessionId: "s", setting: "email", action: "updated" },
  { type: "content.deleted", userId: "u", sessionId: "s", contentType: "album", count: 3 },
  { type: "content.modified", userId: "u", sessionId: "s", contentType: "photo" },
  { type: "session.ended", userId: "u", sessionId: "s", reason: "logout" },
];
const STRING_FIELDS = [
  "id",
  "type",
  "occurredAt",
  "userId",
  "sessionId",
  "ip",
  "userAgent",
  "deviceId",
  "accountHint",
  "method",
  "reason",
  "setting",
  "action",
  "contentType",
];

/** Text of any code units, and text made mostly of the ones stores and readers choke on. */
const hostileText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      "\u0000",
      "\ud800",
      "\udfff",
      "\u001b",
      "\u007f",
      "\u0085",
      "\ufffe",
      "a",
      "😀",
      "\n",
    ),
    maxLength: 40,
  }),
  fc.constantFrom("Your account is locked. Verify now at https://evil.example/", "x".repeat(3000)),
);

const hostileMessage = fc.record({
  template: fc.constantFrom(...TEMPLATES),
  fields: fc.uniqueArray(fc.constantFrom(...STRING_FIELDS), { minLength: 1, maxLength: 4 }),
  texts: fc.array(hostileText, { minLength: 4, maxLength: 4 }),
  key: hostileText,
  header: fc.tuple(hostileText, hostileText),
});

describe.each(storeBackends)("arbitrary text in every string field (%s)", (_name, open) => {
  let sql: Sql;
  let done: () => Promise<void>;
  let publisher: Publisher;
  beforeAll(async () => {
    ({ sql, done } = await open());
    publisher = await testPublisher(topics, "hostile-text-test");
  });
  afterAll(async () => {
    await publisher.close();
    await done();
  });

  it("commits every batch, storing or dead-lettering each hostile message and scoring the rest", async () => {
    const pipeline = testPipeline(sql, topics, publisher);
    let offset = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, async ({ template, fields, texts, key, header }) => {
        run += 1;
        const hostile: Record<string, unknown> = { ...template, id: `x${run}`, occurredAt: at };
        for (const [i, field] of fields.entries()) hostile[field] = texts[i];
        const valid = (id: string) => ({
          id,
          type: "login.succeeded",
          occurredAt: at,
          userId: `v${run}`,
          sessionId: `s-${id}`,
          ip,
        });
        const first = offset;
        const message = (value: unknown, n: number, extra: Partial<InboundMessage> = {}): InboundMessage => ({
          topic: topics.activity,
          partition: 0,
          offset: first + n,
          key: `v${run}`,
          value: Buffer.from(JSON.stringify(value)),
          headers: {},
          ...extra,
        });
        const messages = [
          message(valid(`a${run}`), 0),
          message(hostile, 1, { key, headers: { [header[0]]: header[1] } }),
          message(valid(`b${run}`), 2),
        ];
        offset += 3;

        const next = await pipeline.onBatch(
          { topic: topics.activity, partition: 0, highWatermark: offset, messages },
          active,
        );
        expect(next).toBe(offset);
        const stored = await sql.query<{ id: string; user_id: string | null }>(
          "select id, user_id from events where id = any($1::text[])",
          [[`a${run}`, `b${run}`]],
        );
        expect(stored.rows.map((r) => r.id).sort()).toEqual([`a${run}`, `b${run}`]);
        const scored = await sql.query("select 1 from user_states where user_id = $1", [`v${run}`]);
        expect(scored.rows).toHaveLength(1);

        // The hostile message: accepted (then stored with its cleaned id), skipped, or dead-lettered.
        const parsed = parseEvent(messages[1]?.value ?? null);
        const dead = await sql.query<{ headers: Record<string, string> }>(
          "select headers from outbox where topic = $1 and headers->>$2 = $3",
          [topics.deadLetter, DLQ_HEADERS.sourceOffset, String(first + 1)],
        );
        if (parsed.ok) {
          const kept = await sql.query("select 1 from events where id = $1", [parsed.event.id]);
          // A repeated id (the property may draw the same one twice) is the same event.
          expect(kept.rows.length, `accepted ${JSON.stringify(parsed.event)}`).toBe(1);
          expect(dead.rows).toEqual([]);
        } else if (parsed.kind === "unknown_type") {
          expect(dead.rows).toEqual([]);
        } else {
          expect(dead.rows.map((r) => r.headers[DLQ_HEADERS.reason])).toEqual([parsed.kind]);
        }
      }),
      {
        numRuns: Number(process.env.HOSTILE_TEXT_RUNS ?? 150),
        seed: Number(process.env.HOSTILE_TEXT_SEED ?? 12),
      },
    );
  }, 300_000);
});
