import { backoffMs } from "../backoff.ts";
import type { BatchControl } from "../kafka/types.ts";

/**
 * Runs `work` until it succeeds, waiting between attempts and heartbeating so the group keeps our
 * partitions. Gives up (returns false) only when the batch is no longer ours to finish.
 */
export async function untilDone(
  control: BatchControl,
  work: () => Promise<void>,
  onFailure: (error: unknown, attempt: number) => void,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (!control.isActive()) return false;
    try {
      await work();
      return true;
    } catch (error) {
      onFailure(error, attempt);
      const until = Date.now() + backoffMs(attempt);
      while (Date.now() < until && control.isActive()) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
        await control.heartbeat().catch(() => {});
      }
    }
  }
}
