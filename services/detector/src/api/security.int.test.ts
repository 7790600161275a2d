// Who may not: every protected route of the access table against every kind of bad token, wrong scope
// and wrong issuer or audience, on both stores. Nothing a refused call asked for may have happened.
import { TOPICS } from "@vigil/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKENDS,
  call,
  detectedFlag,
  forged,
  noticeFor,
  openTestStore,
  outboxOn,
  PROTECTED_ROUTES,
  type RouteCall,
  SECRET,
  seedFlags,
  seedNotices,
  testApi,
  token,
  user,
} from "./fixtures.ts";

const ALL_SCOPES = "flags:read flags:write audit:read";
const past = () => Math.floor(Date.now() / 1000) - 10;
const future = () => Math.floor(Date.now() / 1000) + 3600;

/** Tokens that must never get in, each with why. */
const BAD_TOKENS: [string, () => Promise<string> | string][] = [
  ["an expired token", () => token({ scope: ALL_SCOPES, sub: "u1", exp: past() })],
  ["a token without exp", () => token({ scope: ALL_SCOPES, sub: "u1", exp: undefined })],
  ["a token without sub", () => token({ scope: ALL_SCOPES, sub: undefined })],
  ["a token with an empty sub", () => token({ scope: ALL_SCOPES, sub: "" })],
  ["a token not valid before the future", () => token({ scope: ALL_SCOPES, sub: "u1", nbf: future() })],
  ["a token whose scope is not a string", () => token({ scope: ["flags:read"], sub: "u1" })],
  ["alg none without a signature", () => forged("none", { sub: "u1" }, "")],
  ["alg none with a signature", () => forged("none", { sub: "u1" })],
  ["HS512, even with the right secret", () => token({ scope: ALL_SCOPES, sub: "u1" }, SECRET, "HS512")],
  ["an RS256 header HMAC-signed with the secret", () => forged("RS256", { sub: "u1" })],
  ["an ES256 header", () => forged("ES256", { sub: "u1" })],
  [
    "a token signed with another secret",
    () => token({ scope: ALL_SCOPES, sub: "u1" }, "another-secret-another-secret-another"),
  ],
  [
    "a token with a tampered payload",
    async () => {
      const [head, , signature] = (await token({ scope: "", sub: "u1" })).split(".");
      const payload = Buffer.from(JSON.stringify({ sub: "u1", scope: ALL_SCOPES, exp: future() })).toString(
        "base64url",
      );
      return `${head}.${payload}.${signature}`;
    },
  ],
  [
    "a token with a stripped signature",
    async () => `${(await token({ sub: "u1" })).split(".").slice(0, 2).join(".")}.`,
  ],
  ["garbage", () => "not.a.jwt"],
];

describe.each(BACKENDS)("access control on %s", (backend) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];

  beforeAll(async () => {
    store = await openTestStore(backend);
    app = testApi(store.sql).app;
    await seedFlags(store.sql, [detectedFlag("f1", { userId: "u1" })]);
    await seedNotices(store.sql, [noticeFor("n1", "f1", { userId: "u1" })]);
  });
  afterAll(async () => {
    // Whatever was refused, nothing changed and nothing was published.
    const flag = await call(app, "GET", "/v1/flags/f1", { token: await token({ scope: "flags:read" }) });
    expect(flag.json).toMatchObject({ status: "open", severity: "high", resolution: null });
    expect(await outboxOn(store.sql, TOPICS.feedback)).toEqual([]);
    await store.close();
  });

  const send = (target: RouteCall, headers: Record<string, string>) =>
    call(app, target.method, target.path, {
      headers,
      ...(target.body === undefined ? {} : { body: target.body }),
    });

  const expect401 = (response: Awaited<ReturnType<typeof call>>) => {
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("unauthenticated");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
  };

  describe.each(PROTECTED_ROUTES)("$endpoint", (target) => {
    it("refuses a request without a token with 401", async () => {
      const response = await send(target, {});
      expect401(response);
      expect(response.json.error.message).toBe("bearer token required");
    });

    it.each([["Basic dXNlcjpwYXNz"], ["Bearer"], ["Bearer  "], ["Token abc.def.ghi"]])(
      "refuses the Authorization header %j with 401",
      async (header) => expect401(await send(target, { authorization: header })),
    );

    it.each(BAD_TOKENS)("refuses %s with 401", async (_, make) => {
      const response = await send(target, { authorization: `Bearer ${await make()}` });
      expect401(response);
      expect(response.json.error.message).toBe("invalid token");
    });

    if (target.rule.kind === "scope") {
      const needed = target.rule.scope;
      it("refuses a user token (no scope) with 403", async () => {
        const response = await send(target, { authorization: `Bearer ${await user("u1")}` });
        expect(response.status).toBe(403);
        expect(response.json.error).toMatchObject({
          code: "forbidden",
          message: `this route needs the ${needed} scope`,
        });
      });

      it("refuses every other scope with 403", async () => {
        const others = ALL_SCOPES.split(" ").filter((scope) => scope !== needed);
        const response = await send(target, {
          authorization: `Bearer ${await token({ scope: others.join(" ") })}`,
        });
        expect(response.status).toBe(403);
      });

      it("does not match scopes by prefix or case", async () => {
        for (const scope of [needed.toUpperCase(), `${needed}x`, needed.split(":")[0]]) {
          const response = await send(target, { authorization: `Bearer ${await token({ scope })}` });
          expect(response.status).toBe(403);
        }
      });
    }
  });
});

describe("issuer and audience checks, when configured", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql, { AUTH_JWT_ISSUER: "https://idp.example", AUTH_JWT_AUDIENCE: "vigil" }).app;
  });
  afterAll(() => store.close());

  const get = async (claims: Record<string, unknown>) =>
    (await call(app, "GET", "/v1/flags", { token: await token(claims) })).status;

  it("accepts the configured issuer and audience (also among several audiences)", async () => {
    expect(await get({ iss: "https://idp.example", aud: "vigil" })).toBe(200);
    expect(await get({ iss: "https://idp.example", aud: ["other", "vigil"] })).toBe(200);
  });

  it.each([
    ["a wrong issuer", { iss: "https://evil.example", aud: "vigil" }],
    ["no issuer", { aud: "vigil" }],
    ["a wrong audience", { iss: "https://idp.example", aud: "other-service" }],
    ["no audience", { iss: "https://idp.example" }],
  ])("refuses %s with 401", async (_, claims) => {
    expect(await get(claims)).toBe(401);
  });
});
