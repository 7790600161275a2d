// The entry of the API's thread (apiThread.ts): its own pool on the same PostgreSQL, the API served
// on PORT, the consumer's readiness and metrics asked of the main thread.
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { topicNames } from "@vigil/events";
import { openDatabase, storeAnswers } from "@vigil/store";
import { AggregatorRegistry } from "prom-client";
import { createApi } from "./api/index.ts";
import type { Questions, ToApi, ToMain } from "./apiThread.ts";
import type { Config } from "./config.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { readinessOf } from "./readiness.ts";
import { timedSql } from "./storeTiming.ts";

const port = parentPort;
if (!port) throw new Error("apiWorker.ts runs as the API's worker thread (apiThread.ts)");
const { config } = workerData as { config: Config };
const log = createLogger(config.LOG_LEVEL);
const metrics = createMetrics({ processMetrics: false });
const sql = timedSql(
  await openDatabase({
    url: config.DATABASE_URL,
    maxConnections: config.DATABASE_API_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_API_STATEMENT_TIMEOUT_MS,
    applicationName: "vigil-api",
  }),
  metrics,
);

const post = (message: ToMain) => port.postMessage(message);
const waiting = new Map<number, (value: never) => void>();
let asked = 0;
function ask<K extends keyof Questions>(what: K): Promise<Questions[K]> {
  const id = ++asked;
  return new Promise((resolve) => {
    waiting.set(id, resolve as (value: never) => void);
    post({ type: "ask", id, what });
  });
}

const api = createApi({
  sql,
  config,
  topics: topicNames(config.KAFKA_TOPIC_PREFIX),
  log,
  metrics,
  readiness: async () => readinessOf(await ask("consumer"), await storeAnswers(sql)),
  exposition: async () =>
    AggregatorRegistry.aggregate([await ask("metrics"), await metrics.registry.getMetricsAsJSON()]).metrics(),
});
const server = serve({ fetch: api.fetch, port: config.PORT, hostname: "0.0.0.0" });
await new Promise<void>((resolve) => server.once("listening", () => resolve()));

port.on("message", (message: ToApi) => {
  if (message.type === "answer") {
    waiting.get(message.id)?.(message.value as never);
    waiting.delete(message.id);
  } else if (message.type === "stop") {
    void (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.close();
      port.close();
    })();
  }
});
post({ type: "listening", port: (server.address() as AddressInfo).port });
