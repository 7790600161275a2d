import type { AccountEventInput } from "@vigil/events";
import { afterAll, describe, expect, it } from "vitest";
import { MARK_KEY } from "../../services/detector/src/messages.ts";
import { testBrokers } from "../support/kafka.ts";
import { killAllDetectors } from "./support/detector.ts";
import { seeded } from "./support/random.ts";
import { type Deployment, deployment, expectSameFinalState, uninterruptedRun } from "./support/run.ts";
import { MESSAGE_ID_HEADER, readAll, withDatabase } from "./support/state.ts";
import { asMessages, type Outgoing, produceAll, seededStream } from "./support/stream.ts";

const SEED = Number(process.env.FAULT_SEED ?? 7_1128);

describe("the same message delivered twice", () => {
  const brokers = testBrokers();
  const events = seededStream({ seed: 47, users: 100, days: 14 });
  const messages = asMessages(events);
  let run: Deployment | undefined;
  afterAll(async () => {
    await killAllDetectors();
    await run?.dispose();
  });

  it("has one effect, whether the copy comes right after it or after it was committed", async () => {
    const reference = await uninterruptedRun(brokers, messages);
    const current = await deployment(brokers);
    run = current;
    const detector = await current.start();
    await detector.ready();

    // A producer retry: half the events are sent twice in a row (the copy usually lands in the
    // same batch); then a fifth of them again once everything is committed (a later batch).
    const random = seeded(SEED);
    const retried = messages.flatMap((message) => (random() < 0.5 ? [message, message] : [message]));
    await produceAll(brokers, current.topics.activity, retried);
    await current.settle(120_000, detector.output);
    const late = messages.filter(() => random() < 0.2);
    await produceAll(brokers, current.topics.activity, late);
    const state = await current.settle(120_000, detector.output);

    const copies = retried.length - messages.length + late.length;
    expect(await detector.metric("vigil_events_skipped_total", { reason: "duplicate" })).toBe(copies);
    expect(await detector.metric("vigil_events_consumed_total"), "each event scored once").toBe(
      events.length,
    );
    const flagged = await withDatabase(current.databaseUrl, async (client) => {
      const result = await client.query<{ n: number }>(
        "select count(*)::int as n from events where id = any($1::text[])",
        [late.map((m) => (JSON.parse(m.value as string) as AccountEventInput).id)],
      );
      return result.rows[0]?.n;
    });
    expect(flagged, "one stored event per id").toBe(late.length);
    // Flags (with their event counts), notices and profiles: as if each event came once.
    expectSameFinalState(state, reference, { sameInput: false });
    expect(state.flags.size).toBeGreaterThan(0);
  });

  it("has one effect on the internal re-keyed stream when the outbox publishes a message again", async () => {
    // After a crash between publishing and deleting, the relay publishes the same outbox rows
    // again, with the same message ids. Re-deliver one re-keyed login and its source must not count
    // it twice.
    const current = run as Deployment;
    // Logins only: the marks between them carry no message id.
    const rekeyed = (await readAll(brokers, current.topics.bySource)).filter((m) => m.key !== MARK_KEY);
    expect(rekeyed.length).toBeGreaterThan(0);
    // The newest login of the busiest source network: well inside that source's window.
    const byNetwork = new Map<string, typeof rekeyed>();
    for (const message of rekeyed)
      byNetwork.set(message.key ?? "", [...(byNetwork.get(message.key ?? "") ?? []), message]);
    const [network, logins] = [...byNetwork].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
    const newest = logins.reduce((a, b) =>
      Date.parse(JSON.parse(String(a.value)).occurredAt) >= Date.parse(JSON.parse(String(b.value)).occurredAt)
        ? a
        : b,
    );
    expect(newest.headers[MESSAGE_ID_HEADER]).toMatch(/^src:/);
    const sourceState = () =>
      withDatabase(current.databaseUrl, async (client) => {
        const result = await client.query<{ state: string }>(
          "select state::jsonb::text as state from source_states where network = $1",
          [network],
        );
        return result.rows[0]?.state;
      });
    const before = await sourceState();
    expect(before).toBeDefined();

    const again: Outgoing = { key: network, value: newest.value, headers: newest.headers };
    await produceAll(brokers, current.topics.bySource, [again]);
    await current.settle(60_000);
    expect(await sourceState(), `source ${network} after a re-delivered login`).toBe(before);
  });

  it("has one effect on a profile when the same feedback is published again", async () => {
    // Analysts' resolutions and users' answers reach the profile through the outbox and the
    // internal feedback topic, at least once. A repeated "that was me" must not trust the session's
    // place and device twice.
    const current = run as Deployment;
    const profile = (userId: string) =>
      withDatabase(current.databaseUrl, async (client) => {
        const result = await client.query<{ state: string }>(
          "select state::jsonb::text as state from user_states where user_id = $1",
          [userId],
        );
        return result.rows[0]?.state;
      });
    // A session the profile still holds, with what it would learn from (place, device, network).
    const candidates = await withDatabase(current.databaseUrl, async (client) => {
      const result = await client.query<{ user_id: string; state: string }>(
        "select user_id, state::text as state from user_states order by user_id",
      );
      return result.rows;
    });
    let target: { userId: string; sessionId: string } | undefined;
    for (const row of candidates) {
      const state = JSON.parse(row.state) as { sessions: { id: string; status: string; keys: unknown }[] };
      const session = state.sessions.find((s) => s.status === "open" && s.keys !== null);
      if (session) {
        target = { userId: row.user_id, sessionId: session.id };
        break;
      }
    }
    if (target === undefined) throw new Error("no open session with keys in any profile");
    const feedback: Outgoing = {
      key: target.userId,
      value: JSON.stringify({
        userId: target.userId,
        flagId: "f_fault_test",
        sessionId: target.sessionId,
        verdict: "legitimate",
        at: new Date().toISOString(),
      }),
      headers: { [MESSAGE_ID_HEADER]: "fault-test-feedback-1" },
    };
    const before = await profile(target.userId);
    await produceAll(brokers, current.topics.feedback, [feedback]);
    await current.settle(60_000);
    const once = await profile(target.userId);
    expect(once, "the feedback taught the profile").not.toBe(before);
    await produceAll(brokers, current.topics.feedback, [feedback]);
    await current.settle(60_000);
    expect(await profile(target.userId), `${target.userId} after the same feedback again`).toBe(once);
  });
});
