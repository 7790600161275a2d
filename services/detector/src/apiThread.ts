// The API in a worker thread of its own, so that requests are not queued behind the consumer's
// batches on one event loop. The thread has its own PostgreSQL pool, verified-token cache, rate limiter
// and audit group commit; it asks this thread for what only the consumer knows (readiness, metrics).
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { ConsumerState } from "./readiness.ts";

/** Marks the API's thread (its `workerData.role`), e.g. for the benchmark's reference route. */
export const API_THREAD_ROLE = "vigil-api";

/** Questions the API's thread asks the main thread, and the answers' shapes. */
export interface Questions {
  consumer: ConsumerState;
  metrics: MetricObjectWithValues<MetricValue<string>>[];
}

export type ToMain = { type: "listening"; port: number } | { type: "ask"; id: number; what: keyof Questions };

export type ToApi = { type: "answer"; id: number; value: Questions[keyof Questions] } | { type: "stop" };

/** The API thread's young generation (V8 semi-spaces): small objects of short requests. */
const API_YOUNG_GENERATION_MIB = 12;
/** How long requests in progress may take to finish when the service stops. */
const API_STOP_GRACE_MS = 5_000;

export interface ApiThread {
  port: number;
  /** HTTP closed, the API's pool closed, the thread ended. */
  stop(): Promise<void>;
}

export async function startApiThread(options: {
  config: Config;
  log: Logger;
  metrics: Metrics;
  consumer(): ConsumerState;
}): Promise<ApiThread> {
  const worker = new Worker(new URL("./apiWorker.ts", import.meta.url), {
    workerData: { role: API_THREAD_ROLE, config: options.config },
    // The API's requests leave little behind: a young generation of its own size, not the consumer's.
    resourceLimits: { maxYoungGenerationSizeMb: API_YOUNG_GENERATION_MIB },
  });
  const answer = async (what: keyof Questions): Promise<Questions[keyof Questions]> =>
    what === "consumer" ? options.consumer() : await options.metrics.registry.getMetricsAsJSON();
  const listening = new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the API thread exited with ${code} before listening`)));
    worker.on("message", (message: ToMain) => {
      if (message.type === "listening") resolve(message.port);
      else if (message.type === "ask")
        void answer(message.what).then((value) =>
          worker.postMessage({ type: "answer", id: message.id, value } satisfies ToApi),
        );
    });
  });
  const port = await listening;
  worker.on("error", (error) => options.log.error({ err: error.message }, "the API thread failed"));
  return {
    port,
    async stop() {
      const exited = once(worker, "exit");
      worker.postMessage({ type: "stop" } satisfies ToApi);
      // Connections still open after the grace period are cut: the thread ends with them.
      const grace = setTimeout(() => void worker.terminate(), API_STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    },
  };
}
