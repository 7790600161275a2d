import { asnSourceKey, lateForSources, observeUser, type UserState } from "@vigil/detection";
import type { AccountEvent } from "@vigil/events";
import { type EventRecord, JsonText, knownEventIds } from "@vigil/store";
import type { InboundMessage, OutboundMessage } from "../kafka/types.ts";
import { bySourceMessage, deadLetter } from "../messages.ts";
import {
  type BatchPlan,
  FlagCollector,
  type MessageList,
  type PlanContext,
  type PlanRequest,
  serialize,
} from "./context.ts";
import { parsedEvent } from "./decoded.ts";
import { enrich } from "./enrich.ts";
import { sourceLogin } from "./sourceLogin.ts";

/**
 * Plans the effects of a batch of `account-activity`: validation, scoring, flags, notices, re-keying.
 * Repeated ids within the batch are dropped here; ids stored by earlier batches only when
 * `checkStored` (the store refuses a batch that repeats one, and it is then planned again so).
 */
export async function planActivity(
  context: PlanContext,
  { partition, messages, at: now, checkStored }: PlanRequest,
): Promise<BatchPlan> {
  const { metrics } = context;
  // Counted once the batch commits: a batch may be planned more than once.
  const counts: (() => void)[] = [];
  const outbox: MessageList = [];
  const accepted: { message: InboundMessage; event: AccountEvent }[] = [];
  const latest = now.getTime() + context.maxFutureSkewMs;
  for (const message of messages) {
    const result = parsedEvent(message.value);
    if (result.ok && Date.parse(result.event.occurredAt) > latest) {
      outbox.push(
        deadLetter(
          context.topics,
          message,
          "future_event",
          `occurredAt ${result.event.occurredAt} is in the future`,
        ),
      );
      counts.push(() => metrics.deadLettered.inc({ reason: "future_event" }));
    } else if (result.ok) {
      accepted.push({ message, event: result.event });
    } else if (result.kind === "unknown_type") {
      counts.push(() => metrics.eventsSkipped.inc({ reason: "unknown_type" }));
    } else {
      outbox.push(deadLetter(context.topics, message, result.kind, result.message));
      const reason = result.kind;
      counts.push(() => metrics.deadLettered.inc({ reason }));
    }
  }

  const { fresh, repeats } = await withoutRepeats(context, accepted, checkStored);
  if (repeats > 0) counts.push(() => metrics.eventsSkipped.inc({ reason: "duplicate" }, repeats));
  const users = await context.users.load(
    fresh.flatMap(({ event }) => (event.userId === undefined ? [] : [event.userId])),
  );
  const tracked = await context.population(partition);
  const population = tracked.state;
  const changed = new Map<string, UserState>();
  const flags = new FlagCollector();
  const events: EventRecord[] = [];
  const bySource: OutboundMessage[] = [];
  const consumed = new Map<string, number>();
  const watermarks = context.watermarks;
  let newest = await watermarks.newest(partition);
  let late = 0;
  // Accounts whose own partition is another (their batch holds its lock too: pipeline.ts).
  let misrouted = 0;
  for (const { message, event } of fresh) {
    const { observation, record } = enrich(event, context.addresses);
    // The partition's watermark before this event: a login it has passed is not re-keyed.
    const watermark = watermarks.watermarkOf(newest);
    // No further than the wall time: a producer whose clock runs ahead would make other hosts'
    // logins late. Historical streams (replays, catch-ups) are all in the past: unaffected.
    const clockAt = Math.min(observation.at, now.getTime());
    if (clockAt > newest) newest = clockAt;
    if (event.userId !== undefined) {
      const userId = event.userId;
      if (context.routing.homeOf(userId) !== partition) misrouted++;
      const step = context.poisoned.score(outbox, message, () =>
        observeUser(users.get(userId), population, observation, context.engine),
      );
      if (step === null) continue;
      users.set(userId, step.state);
      changed.set(userId, step.state);
      flags.add(step.flags, observation.device?.family ?? null);
    }
    events.push(record);
    consumed.set(event.type, (consumed.get(event.type) ?? 0) + 1);
    if (event.type.startsWith("login.") && observation.network !== null) {
      if (lateForSources(observation.at, watermark, context.engine)) late++;
      else {
        const login = sourceLogin(event, observation.network, record.ipHash, observation.asn);
        bySource.push(bySourceMessage(context.topics, login));
        // Also by autonomous system: attackers rotate /24s inside one provider.
        const asn = observation.asn === null ? null : asnSourceKey(observation.asn.number);
        if (asn !== null) bySource.push(bySourceMessage(context.topics, login, asn));
      }
    }
  }

  // After the logins they cover: the by-source stage judges no bucket before every partition's passed it.
  bySource.push(...watermarks.marksAfter(partition, newest));
  for (const [type, count] of consumed) counts.push(() => metrics.eventsConsumed.inc({ type }, count));
  if (late > 0) counts.push(() => metrics.eventsSkipped.inc({ reason: "late" }, late));
  if (misrouted > 0) counts.push(() => metrics.eventsMisrouted.inc(misrouted));
  const committed = serialize(changed);
  const partitionKey = { groupId: context.groupId, topic: context.topics.activity, partition };
  return {
    write: {
      events,
      userStates: [...committed].map(([userId, text]) => ({ userId, state: new JsonText(text) })),
      partitionStates: [{ key: partitionKey, state: { ...tracked.totals(), newest } }],
      partitionCounters: [{ key: partitionKey, changes: tracked.changes() }],
      flags: flags.records(),
      notices: flags.notices(context.noticeMinSeverity, now.toISOString()),
      messages: outbox,
    },
    publish: bySource,
    committed: () => {
      watermarks.committed(partition, newest);
      for (const count of counts) count();
    },
    users: committed,
    touched: [...users.keys()],
  };
}

/** A repeated event id is the same event: keep the first of a batch and (if asked) drop those stored. */
async function withoutRepeats<T extends { event: AccountEvent }>(
  context: PlanContext,
  accepted: T[],
  checkStored: boolean,
): Promise<{ fresh: T[]; repeats: number }> {
  const seen = new Set<string>();
  const unique = accepted.filter(({ event }) => !seen.has(event.id) && seen.add(event.id));
  const stored = checkStored
    ? await knownEventIds(
        context.sql,
        unique.map(({ event }) => event.id),
      )
    : new Set<string>();
  return {
    fresh: unique.filter(({ event }) => !stored.has(event.id)),
    repeats: accepted.length - unique.length + stored.size,
  };
}
