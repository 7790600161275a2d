import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openTestStore, reader, testApi, token } from "../api/fixtures.ts";

describe("the console's files and the who-am-I route", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];

  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql).app;
  });
  afterAll(() => store.close());

  it("serves the page under a policy that allows its own origin only, and the API's JSON under none", async () => {
    const page = await call(app, "GET", "/console");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain('src="console/main.js"');
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-inline");
    const api = await call(app, "GET", "/healthz");
    expect(api.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("serves its scripts, the map libraries and Natural Earth's countries, and nothing else", async () => {
    for (const [name, type] of [
      ["main.js", "text/javascript"],
      ["console.css", "text/css"],
      ["d3-geo.js", "text/javascript"],
      ["topojson-client.js", "text/javascript"],
      ["countries-110m.json", "application/json"],
    ]) {
      const response = await call(app, "GET", `/console/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get("content-type"), name).toContain(type);
    }
    const topology = (await call(app, "GET", "/console/countries-110m.json")).json;
    expect(topology.objects.countries.geometries.length).toBeGreaterThan(150);
    for (const path of ["/console/assets.ts", "/console/..%2Fconfig.ts", "/console/nope.js"]) {
      expect((await call(app, "GET", path)).status, path).toBe(404);
    }
  });

  it("GET /v1/me tells any valid token who it is and which scopes it has; no token is a 401", async () => {
    const me = await call(app, "GET", "/v1/me", { token: await reader() });
    expect(me.json).toEqual({ subject: "analyst-2", scopes: ["flags:read"] });
    const odd = await call(app, "GET", "/v1/me", {
      token: await token({ sub: "u9", scope: "flags:write profile:x" }),
    });
    expect(odd.json).toEqual({ subject: "u9", scopes: ["flags:write"] });
    expect((await call(app, "GET", "/v1/me")).status).toBe(401);
  });
});
