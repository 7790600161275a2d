import { observe, observeSource, type SourceState } from "@vigil/detection";
import { parseEvent } from "@vigil/events";
import { loadSourceStates } from "@vigil/store";
import type { InboundMessage } from "../kafka.ts";
import { type BatchPlan, type MessageList, type PlanContext, scoreSafely } from "./context.ts";

/**
 * Plans a batch of logins re-keyed by source network: per-source windows decide spray and stuffing,
 * and each verdict goes back, keyed by the targeted user, to the replica that owns that user.
 */
export async function planSources(context: PlanContext, messages: InboundMessage[]): Promise<BatchPlan> {
  const observations = messages.flatMap((message) => {
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
  for (const { message, observation } of observations) {
    const network = observation.network;
    if (network === null) continue;
    const step = scoreSafely(context, outbox, message, () =>
      observeSource(states.get(network), observation, context.engine),
    );
    if (step === null) continue;
    const { state, verdicts } = step;
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
  return {
    write: {
      sourceStates: [...changed].map(([network, state]) => ({ network, state })),
      messages: outbox,
    },
  };
}
