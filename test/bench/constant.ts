// Preloaded into the Vigil process (`node --import`) by vigil.ts: a bare hono route that returns a
// constant body, served by the same hono and @hono/node-server copies as the service's API, on
// BENCH_CONSTANT_PORT. The reference for the API's throughput, in the same process and on the same
// event loop as the API: the API's worker thread with PostgreSQL, the main thread with PGlite (the
// preload runs in every thread).
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { isMainThread, workerData } from "node:worker_threads";
import { API_THREAD_ROLE } from "../../services/detector/src/apiThread.ts";

const apiThread = isMainThread
  ? !process.env.DATABASE_URL
  : (workerData as { role?: string } | null)?.role === API_THREAD_ROLE;
const port = Number(process.env.BENCH_CONSTANT_PORT ?? 0);
if (port > 0 && apiThread) {
  // Resolved as the detector resolves them, so that both servers run the same code.
  const require = createRequire(new URL("../../services/detector/package.json", import.meta.url));
  const load = (name: string) => import(pathToFileURL(require.resolve(name)).href);
  const { Hono } = await load("hono");
  const { serve } = await load("@hono/node-server");
  const body = { items: [], nextCursor: null };
  const app = new Hono();
  app.get("/constant", (c: { json(value: unknown): Response }) => c.json(body));
  serve({ fetch: app.fetch, port, hostname: "127.0.0.1" });
}
