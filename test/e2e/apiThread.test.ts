import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

/**
 * `GET url` from another process while this thread's event loop is blocked (spawnSync does not
 * return until the child has its answer): the status and body, or the child's error.
 */
function requestWhileBlocked(url: string, token: string): { status: number; body: string } {
  const script = `fetch(${JSON.stringify(url)}, { headers: { authorization: ${JSON.stringify(`Bearer ${token}`)} }, signal: AbortSignal.timeout(10000) })
    .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
    .catch((e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e) })));`;
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000 });
  return JSON.parse(child.stdout || '{"status":0,"body":"no answer"}') as { status: number; body: string };
}

describe("the API in its own thread (PostgreSQL)", () => {
  let vigil: TestVigil;
  let analyst: string;
  beforeAll(async () => {
    vigil = await startVigil();
    analyst = await vigil.token("analyst-1", "flags:read");
    await waitFor("ready", async () =>
      (await fetch(`${vigil.url}/readyz`)).status === 200 ? true : undefined,
    );
  });
  afterAll(() => vigil?.stop());

  it("answers flag reads, audited, while the consumer's event loop is blocked", () => {
    // The service's consumer runs on this thread: blocked here, only another thread can answer.
    const answer = requestWhileBlocked(`${vigil.url}/v1/flags?userId=nobody`, analyst);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ items: [], nextCursor: null });
  });

  it("reports the consumer's readiness and series with its own in one /metrics, each series once", async () => {
    const ready = await (await fetch(`${vigil.url}/readyz`)).json();
    expect(ready).toEqual({ ready: true, checks: { consumer: true, store: true, partitions: true } });
    const text = await (await fetch(`${vigil.url}/metrics`)).text();
    // The API thread's requests above, and the main thread's process and consumer series.
    expect(text).toMatch(
      /^vigil_http_request_duration_seconds_count\{method="GET",route="\/v1\/flags",status="200"\} [1-9]/m,
    );
    expect(text).toMatch(/^vigil_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^vigil_store_query_duration_seconds_count\{statement="[^"]+"\} [1-9]/m);
    const helps = text.split("\n").filter((line) => line.startsWith("# HELP "));
    expect(new Set(helps).size).toBe(helps.length);
  });
});
