import type { Topics } from "@vigil/events";
import type { OutboxMessage } from "@vigil/store";
import type { InboundMessage } from "../kafka/types.ts";
import type { Logger } from "../log.ts";
import { deadLetter } from "../messages.ts";
import type { Metrics } from "../metrics.ts";

/** Thrown out of a plan by `score`; caught by `planWithout`, nowhere else. */
class PoisonMessage extends Error {
  readonly key: string;
  readonly detail: string;

  constructor(key: string, detail: string) {
    super(`engine failed on ${key}: ${detail.split("\n")[0]}`);
    this.key = key;
    this.detail = detail;
  }
}

const messageKey = (m: InboundMessage): string => `${m.topic}:${m.partition}:${m.offset}`;

/**
 * The messages the engine failed on, and the replan of their batch without them.
 *
 * The engine does no I/O, so an exception is a property of the input (or a defect), not a passing
 * fault: retrying would stall the partition for ever. Nor can the message simply be skipped: the
 * engine changes the states it is given in place (the users' states loaded for the plan, and the
 * partition's population, which lives from batch to batch), so what it did before failing is half an
 * event. The batch is planned again from committed state, and the message goes to the dead-letter
 * topic with the engine's error.
 */
export class PoisonedMessages {
  /** The engine's error, by message. */
  readonly #errors = new Map<string, string>();
  readonly #topics: Topics;
  readonly #metrics: Metrics;
  readonly #log: Logger;

  constructor(topics: Topics, metrics: Metrics, log: Logger) {
    this.#topics = topics;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** Runs the engine on one message of a plan; a message it failed on before is dead-lettered instead. */
  score<T>(deadLetters: OutboxMessage[], message: InboundMessage, score: () => T): T | null {
    const key = messageKey(message);
    const failed = this.#errors.get(key);
    if (failed !== undefined) {
      deadLetters.push(deadLetter(this.#topics, message, "engine_error", failed));
      this.#metrics.deadLettered.inc({ reason: "engine_error" });
      return null;
    }
    try {
      return score();
    } catch (error) {
      throw new PoisonMessage(key, String((error as Error).stack ?? error));
    }
  }

  /**
   * Plans a batch until no message makes the engine fail anew; after each failure, `discard` drops
   * what the failed plan changed in memory (the partition's population), so the next plan starts from
   * committed state.
   */
  async planWithout<T>(
    batch: { topic: string; partition: number },
    plan: () => Promise<T>,
    discard: () => void,
  ): Promise<T> {
    for (;;) {
      try {
        return await plan();
      } catch (error) {
        if (!(error instanceof PoisonMessage)) throw error;
        const { topic, partition } = batch;
        this.#log.error(
          { err: error.message, topic, partition },
          "engine failed on a message; dead-lettering it",
        );
        this.#errors.set(error.key, error.detail);
        discard();
      }
    }
  }

  /** The batch committed: its messages are behind the stored offset, never planned again. */
  committed(messages: InboundMessage[]): void {
    if (this.#errors.size === 0) return;
    for (const message of messages) this.#errors.delete(messageKey(message));
  }
}
