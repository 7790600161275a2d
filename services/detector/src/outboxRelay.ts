import { drainOutbox, type Sql } from "@vigil/store";
import { backoffCeilingMs } from "./backoff.ts";
import type { Publisher } from "./kafka/types.ts";
import type { Logger } from "./log.ts";
import { MESSAGE_ID_HEADER } from "./messages.ts";

const BATCH = 500;
const POLL_MS = 1000;

/**
 * Publishes committed outbox messages, oldest first, at least once; each carries its stable
 * message id so consumers can drop a re-delivery after a crash between publish and delete.
 */
export function startOutboxRelay(options: { sql: Sql; publisher: Publisher; log: Logger }) {
  const { sql, publisher, log } = options;
  let running = true;
  let pending = false;
  let interrupt: () => void = () => {};
  let failures = 0;
  const wake = () => {
    pending = true;
    interrupt();
  };

  async function drainOnce(): Promise<number> {
    return drainOutbox(sql, BATCH, async (messages) => {
      const outbound = messages.map((m) => ({
        ...m,
        headers: { ...m.headers, [MESSAGE_ID_HEADER]: m.messageId },
      }));
      await publisher.send(outbound);
    });
  }

  const loop = (async () => {
    while (running) {
      pending = false;
      let published = 0;
      try {
        published = await drainOnce();
        failures = 0;
      } catch (error) {
        failures++;
        log.warn({ err: (error as Error).message, failures }, "outbox publish failed; will retry");
      }
      if ((published === BATCH || pending) && failures === 0) continue;
      const wait = failures === 0 ? POLL_MS : backoffCeilingMs(failures);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    /** New messages were committed: publish now rather than at the next poll. */
    wake,
    /** Stops after a last attempt to publish what is pending. */
    async stop(): Promise<void> {
      running = false;
      wake();
      await loop;
      await drainOnce().catch((error: Error) =>
        log.warn({ err: error.message }, "final outbox drain failed"),
      );
    },
  };
}
