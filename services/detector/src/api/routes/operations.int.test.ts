import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openTestStore, reader, testApi } from "../fixtures.ts";

describe("operational routes: /healthz, /readyz, /metrics", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it("/healthz answers 200 without a token", async () => {
    const { app } = testApi(store.sql);
    const response = await call(app, "GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: "ok" });
  });

  it("/readyz is 200 with the checks while ready, 503 with them while not", async () => {
    let ready = true;
    const { app } = testApi(store.sql, {
      readiness: async () => ({ ready, checks: { consumer: ready, store: true } }),
    });
    const up = await call(app, "GET", "/readyz");
    expect(up.status).toBe(200);
    expect(up.json).toEqual({ ready: true, checks: { consumer: true, store: true } });
    ready = false;
    const down = await call(app, "GET", "/readyz");
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ ready: false, checks: { consumer: false, store: true } });
  });

  it("/readyz is 503 when the check itself fails", async () => {
    const { app } = testApi(store.sql, {
      readiness: () => Promise.reject(new Error("broker unreachable")),
    });
    const response = await call(app, "GET", "/readyz");
    expect(response.status).toBe(503);
    expect(response.json.ready).toBe(false);
  });

  it("/metrics serves Prometheus text with requests labelled by route pattern, not raw path", async () => {
    const { app } = testApi(store.sql);
    const bearer = await reader();
    await call(app, "GET", "/v1/flags/flag-123", { token: bearer });
    await call(app, "GET", "/v1/flags/flag-456", { token: bearer });
    await call(app, "GET", "/no/such/route/789");
    const response = await call(app, "GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toContain(
      'vigil_http_request_duration_seconds_count{method="GET",route="/v1/flags/{id}",status="404"} 2',
    );
    expect(response.text).toContain('route="unmatched",status="404"');
    expect(response.text).not.toContain("flag-123");
    // Not in any label value (the text has numbers, e.g. memory sizes, that may contain 789 by chance).
    expect(response.text).not.toMatch(/="[^"]*789[^"]*"/);
  });
});
