import {
  closeDue,
  dueSources,
  emptyClock,
  type Observation,
  observe,
  observeSourceOnClock,
  type SourceClock,
  type SourceState,
  type SourceVerdict,
  sourceOfKey,
} from "@vigil/detection";
import { parseEvent } from "@vigil/events";
import { loadPartitionState, loadSourceStates } from "@vigil/store";
import type { InboundMessage } from "../kafka.ts";
import { type BatchPlan, type MessageList, type PlanContext, scoreSafely } from "./context.ts";
import { parseSourceLogin, sourceObservation } from "./sourceLogin.ts";

/**
 * Plans a batch of logins re-keyed by source (a network prefix, or "AS<n>" for its autonomous
 * system): per-source windows of event time decide spray and stuffing, and each verdict goes back,
 * keyed by the targeted user, to the replica that owns that user. The partition's clock (the
 * newest event time it has read, stored with the batch) judges sources that fell silent.
 *
 * The re-keyed topic is at least once (a batch replayed after a failed commit publishes its logins
 * again): a source counts facts per account and bucket, so a login counted twice changes nothing.
 */
export async function planSources(context: PlanContext, messages: InboundMessage[]): Promise<BatchPlan> {
  const partition = messages[0]?.partition ?? 0;
  const clockKey = { groupId: context.groupId, topic: context.topics.bySource, partition };
  const logins = messages.flatMap((message) => {
    const observation = observationOf(context, message);
    if (observation === null) return [];
    // The source is the message's key (its network prefix, or its autonomous system).
    const key = message.key ?? observation.network;
    return key === null ? [] : [{ message, observation, source: sourceOfKey(key) }];
  });
  const clock = (await loadPartitionState<SourceClock>(context.sql, clockKey)) ?? emptyClock();
  const states = await loadSourceStates<SourceState>(
    context.sql,
    logins.map(({ source }) => source.key),
  );
  const changed = new Map<string, SourceState>();
  const outbox: MessageList = [];
  const send = (verdicts: SourceVerdict[]): void => {
    for (const verdict of verdicts) {
      outbox.push({
        // One verdict per source, window end and account: a replayed batch sends the same ids.
        messageId: `verdict:${verdict.network}:${verdict.at}:${verdict.userId}`,
        topic: context.topics.verdicts,
        key: verdict.userId,
        value: JSON.stringify(verdict),
      });
    }
  };
  let late = 0;
  for (const { message, observation, source } of logins) {
    const step = scoreSafely(context, outbox, message, () =>
      observeSourceOnClock(clock, states.get(source.key), observation, source, context.engine),
    );
    if (step === null) continue;
    if (step.late) late++;
    states.set(source.key, step.state);
    changed.set(source.key, step.state);
    send(step.verdicts);
  }
  const due = dueSources(clock);
  if (due.length > 0) {
    const missing = due.filter((key) => !states.has(key));
    for (const [key, state] of await loadSourceStates<SourceState>(context.sql, missing))
      states.set(key, state);
    for (const key of due) {
      const step = closeDue(clock, key, states.get(key), context.engine);
      states.set(key, step.state);
      changed.set(key, step.state);
      send(step.verdicts);
    }
  }
  return {
    write: {
      sourceStates: [...changed].map(([network, state]) => ({ network, state })),
      partitionStates: [{ key: clockKey, state: clock }],
      messages: outbox,
    },
    committed: () => {
      if (late > 0) context.metrics.eventsSkipped.inc({ reason: "late" }, late);
    },
  };
}

/** A re-keyed login as the source stage scores it: no place, device or address. */
function observationOf(context: PlanContext, message: InboundMessage): Observation | null {
  const login = parseSourceLogin(message.value);
  if (login !== null) return sourceObservation(login);
  // A login published in full by a version before this one (its raw address) during an upgrade.
  const result = parseEvent(message.value);
  if (!result.ok) return null;
  const ip = result.event.ip;
  return observe(result.event, ip === undefined ? null : context.addresses.of(ip).facts);
}
