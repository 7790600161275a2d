/** Sends one batch of items; a rejection fails every item of that batch. */
export type SendBatch<T> = (items: T[]) => Promise<void>;

export interface BatcherOptions {
  /** How long the first item of an idle batcher waits for company. */
  lingerMs: number;
  maxBatch: number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Groups items added within `lingerMs` into one send of up to `maxBatch`. One batch is in flight
 * at a time, so a key's events reach the broker in the order they were added even when a batch is
 * retried; items that arrive meanwhile go out as soon as it settles.
 */
export function createBatcher<T>(send: SendBatch<T>, { lingerMs, maxBatch }: BatcherOptions) {
  let queue: Waiting<T>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  function dispatch(): void {
    clearTimeout(timer);
    timer = undefined;
    if (inFlight !== undefined || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    inFlight = send(batch.map((w) => w.item))
      .then(
        () => {
          for (const w of batch) w.resolve();
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        inFlight = undefined;
        dispatch();
      });
  }

  return {
    /** Resolves once the batch holding `item` was sent. */
    add(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= maxBatch) dispatch();
        else if (inFlight === undefined) timer ??= setTimeout(dispatch, lingerMs);
      });
    },

    /** Sends everything added so far without waiting for the linger; never rejects. */
    async flush(): Promise<void> {
      while (queue.length > 0 || inFlight !== undefined) {
        dispatch();
        await inFlight;
      }
    },
  };
}
