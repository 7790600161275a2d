import { type ActivityProducer, activityProducerOver, type ProducerSettings } from "./producer.ts";
import type { KeyedMessage, Transport } from "./transport.ts";

/**
 * A producer over a transport that records each batch instead of talking to a broker. Unit tests
 * only. `state.fail` makes the next batches reject; `state.mostInFlight` proves batches never overlap.
 */
export function fakeProducer(settings: ProducerSettings = {}) {
  const batches: { topic: string; messages: KeyedMessage[] }[] = [];
  const state = { fail: undefined as Error | undefined, closed: false, inFlight: 0, mostInFlight: 0 };
  const transport: Transport = {
    async sendBatch(topic, messages) {
      batches.push({ topic, messages });
      state.inFlight += 1;
      state.mostInFlight = Math.max(state.mostInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1)); // an acknowledgement takes a while
      state.inFlight -= 1;
      if (state.fail !== undefined) throw state.fail;
    },
    async close() {
      state.closed = true;
    },
  };
  const vigil: ActivityProducer = activityProducerOver(transport, settings);
  return { vigil, batches, state };
}

/** The rejection of `promise`, which must reject. */
export function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}
