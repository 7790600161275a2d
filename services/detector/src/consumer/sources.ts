import {
  clockOf,
  closeDue,
  dueSources,
  markPartition,
  type Observation,
  observe,
  observeSourceOnClock,
  type PartitionWatermark,
  type Source,
  type SourceClock,
  type SourceState,
  type SourceVerdict,
  sourceOfKey,
} from "@vigil/detection";
import { parseEvent } from "@vigil/events";
import { loadPartitionState, loadSourceStates } from "@vigil/store";
import type { InboundMessage } from "../kafka/types.ts";
import { MARK_KEY, verdictClockMessages, verdictMessage } from "../messages.ts";
import type { BatchPlan, MessageList, PlanContext, PlanRequest } from "./context.ts";
import { parseSourceLogin, sourceObservation } from "./sourceLogin.ts";
import { parseMark } from "./watermarks.ts";

/**
 * Plans a batch of the by-source topic: logins re-keyed by source (a network prefix, or "AS<n>" for
 * its autonomous system) and the activity partitions' watermarks. Per-source buckets of event time
 * decide spray and stuffing once the clock (the least watermark, kept with the batch) passes them,
 * and each verdict goes back, keyed by the targeted user, to the replica that owns that user.
 *
 * The re-keyed topic is at least once (a batch replayed after a failed commit publishes its logins
 * again): a source counts facts per account and bucket, so a login counted twice changes nothing.
 */
export async function planSources(
  context: PlanContext,
  { partition, messages, at: now }: PlanRequest,
): Promise<BatchPlan> {
  const clockKey = { groupId: context.groupId, topic: context.topics.bySource, partition };
  const steps = messages.flatMap((message): Step[] => {
    if (message.key === MARK_KEY) {
      const mark = parseMark(message.value);
      return mark === null ? [] : [{ mark }];
    }
    const observation = observationOf(context, message);
    if (observation === null) return [];
    // The source is the message's key (its network prefix, or its autonomous system).
    const key = message.key ?? observation.network;
    return key === null ? [] : [{ message, observation, source: sourceOfKey(key) }];
  });
  const clock = clockOf(await loadPartitionState<SourceClock>(context.sql, clockKey));
  const judgedTo = clock.watermark;
  const stalled = context.clockMotion.stalled(partition, clock.watermark, now.getTime());
  const states = await loadSourceStates<SourceState>(
    context.sql,
    steps.flatMap((step) => ("source" in step ? [step.source.key] : [])),
  );
  const changed = new Map<string, SourceState>();
  const outbox: MessageList = [];
  const send = (verdicts: SourceVerdict[]): void => {
    for (const verdict of verdicts) {
      outbox.push(verdictMessage(context.topics, verdict));
    }
  };
  /** Judges the sources the clock has passed without a login of their own. */
  const judgeDue = async (): Promise<void> => {
    const due = dueSources(clock);
    const missing = due.filter((key) => !states.has(key));
    for (const [key, state] of await loadSourceStates<SourceState>(context.sql, missing))
      states.set(key, state);
    for (const key of due) {
      const step = closeDue(clock, key, states.get(key), context.engine);
      states.set(key, step.state);
      changed.set(key, step.state);
      send(step.verdicts);
    }
  };
  let late = 0;
  for (const step of steps) {
    if ("mark" in step) {
      if (markPartition(clock, step.mark)) await judgeDue();
      continue;
    }
    const { message, observation, source } = step;
    const counted = context.poisoned.score(outbox, message, () =>
      observeSourceOnClock(clock, states.get(source.key), observation, source, context.engine, stalled),
    );
    if (counted === null) continue;
    if (counted.late) late++;
    states.set(source.key, counted.state);
    changed.set(source.key, counted.state);
    send(counted.verdicts);
  }
  if (clock.watermark > judgedTo) {
    // After the verdicts it covers: the account stage waits for this clock (verdictGate.ts).
    const mark = { partition, partitions: context.partitions.bySource, at: clock.watermark };
    outbox.push(...verdictClockMessages(context.topics, mark, context.partitions.activity));
  }
  return {
    write: {
      sourceStates: [...changed].map(([network, state]) => ({ network, state })),
      partitionStates: [{ key: clockKey, state: clock }],
      messages: outbox,
    },
    committed: () => {
      // Only after a partition that said it was idle publishes again (docs/guarantees.md).
      if (late > 0) context.metrics.eventsSkipped.inc({ reason: "late" }, late);
    },
  };
}

/** A by-source message: a login counted in its source, or an activity partition's mark. */
type Step =
  | { message: InboundMessage; observation: Observation; source: Source }
  | { mark: PartitionWatermark };

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
