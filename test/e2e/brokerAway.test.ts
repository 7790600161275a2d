// The service started while the broker is out of reach: the API answers at once (flags can be
// read, the process is alive and says it is not ready), and consumption begins when the broker
// comes back.
import { tcpProxy } from "@vigil/store/testing";
import { sign } from "hono/jwt";
import { expect, it } from "vitest";
import { testBrokers } from "../support/kafka.ts";
import { freePort } from "../support/net.ts";
import { startVigil, TEST_SECRET } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

it("serves the API while the broker is away at start, and becomes ready when it is back", async () => {
  const [host = "localhost", port = "9092"] = (testBrokers()[0] ?? "").split(":");
  const broker = await tcpProxy(host, Number(port));
  await broker.cut();
  const apiPort = await freePort();
  const starting = startVigil({ env: { KAFKA_BROKERS: `127.0.0.1:${broker.port}`, PORT: String(apiPort) } });
  const url = (path: string) => `http://127.0.0.1:${apiPort}${path}`;
  try {
    const health = await waitFor("the API up", async () => (await fetch(url("/healthz"))).status);
    expect(health).toBe(200);
    const ready = await fetch(url("/readyz"));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { consumer: boolean } }).checks.consumer).toBe(false);
    const analyst = await sign(
      { sub: "analyst", scope: "flags:read", exp: Math.floor(Date.now() / 1000) + 600 },
      TEST_SECRET,
      "HS256",
    );
    const flags = await fetch(url("/v1/flags?limit=5"), { headers: { authorization: `Bearer ${analyst}` } });
    expect(flags.status).toBe(200);
    expect(((await flags.json()) as { items: unknown[] }).items).toEqual([]);
  } finally {
    await broker.restore();
  }
  const vigil = await starting;
  try {
    await waitFor(
      "ready once the broker is back",
      async () => ((await fetch(url("/readyz"))).status === 200 ? true : undefined),
      60_000,
    );
  } finally {
    await vigil.stop();
    await broker.close();
  }
});
