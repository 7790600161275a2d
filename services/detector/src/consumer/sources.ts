import { observe, observeSource, type SourceState } from "@vigil/detection";
import { parseEvent } from "@vigil/events";
import { loadSourceStates } from "@vigil/store";
import type { InboundMessage } from "../kafka.ts";
import { type BatchPlan, type MessageList, type PlanContext, scoreSafely } from "./context.ts";
import { parseSourceLogin, sourceObservation } from "./sourceLogin.ts";

/**
 * Plans a batch of logins re-keyed by source network: per-source windows decide spray and stuffing,
 * and each verdict goes back, keyed by the targeted user, to the replica that owns that user.
 */
export async function planSources(context: PlanContext, messages: InboundMessage[]): Promise<BatchPlan> {
  const observations = messages.flatMap((message) => {
    const login = parseSourceLogin(message.value);
    if (login !== null) return [{ message, observation: sourceObservation(login) }];
    // A login published in full by a version before this one (its raw address) during an upgrade.
    const result = parseEvent(message.value);
    if (!result.ok || result.event.ip === undefined) return [];
    return [{ message, observation: observe(result.event, context.addresses.of(result.event.ip).facts) }];
  });
  const states = await loadSourceStates<SourceState>(
    context.sql,
    observations.flatMap(({ observation }) => (observation.network === null ? [] : [observation.network])),
  );
  const changed = new Map<string, SourceState>();
  const outbox: MessageList = [];
  let repeats = 0;
  for (const { message, observation } of observations) {
    const network = observation.network;
    if (network === null) continue;
    if (counted(states.get(network), observation.event.id)) {
      repeats++;
      continue;
    }
    const step = scoreSafely(context, outbox, message, () =>
      observeSource(states.get(network), observation, context.engine),
    );
    if (step === null) continue;
    const { state, verdicts } = step;
    count(state, observation.event.id, observation.at);
    states.set(network, state);
    changed.set(network, state);
    verdicts.forEach((verdict, index) => {
      outbox.push({
        messageId: `verdict:${observation.event.id}:${index}`,
        topic: context.topics.verdicts,
        key: verdict.userId,
        value: JSON.stringify(verdict),
      });
    });
  }
  for (const state of changed.values()) forgetCounted(state, context.engine.source.windowMs);
  return {
    write: {
      sourceStates: [...changed].map(([network, state]) => ({ network, state })),
      messages: outbox,
    },
    committed: () => {
      if (repeats > 0) context.metrics.eventsSkipped.inc({ reason: "duplicate" }, repeats);
    },
  };
}

/**
 * The re-keyed topic is at-least-once: after a crash between publishing and deleting, the outbox
 * publishes the same logins again. A source state therefore keeps the ids of the logins it counted
 * (by event time, as long as its window) and counts each once.
 */
type Counting = SourceState & { counted?: Record<string, number> };

function counted(state: SourceState | undefined, eventId: string): boolean {
  return (state as Counting | undefined)?.counted?.[`#${eventId}`] !== undefined;
}

function count(state: SourceState, eventId: string, at: number): void {
  const counting = state as Counting;
  counting.counted ??= {};
  // Prefixed: event ids are input, and a plain object answers to "constructor" by itself.
  counting.counted[`#${eventId}`] = at;
}

/** Drops the ids of logins older than the source's window, as the engine drops their attempts. */
function forgetCounted(state: SourceState, windowMs: number): void {
  const ids = (state as Counting).counted;
  if (ids === undefined) return;
  const oldest = state.newest - windowMs;
  for (const [id, at] of Object.entries(ids)) if (at < oldest) delete ids[id];
}
