// AUTH_JWT_MAX_TTL: a genuine token that lives longer than allowed is refused with 401 and says why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openTestStore, PROTECTED_ROUTES, testApi, token } from "./fixtures.ts";

const HOUR = 3600;
const nowS = () => Math.floor(Date.now() / 1000);

describe("the longest token lifetime (AUTH_JWT_MAX_TTL = 1 h)", () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  beforeAll(async () => {
    store = await openTestStore();
    app = testApi(store.sql, { AUTH_JWT_MAX_TTL: HOUR }).app;
  });
  afterAll(() => store.close());

  const get = async (claims: Record<string, unknown>) =>
    call(app, "GET", "/v1/flags", { token: await token(claims) });

  it.each([
    ["exp − iat over the limit", { iat: nowS(), exp: nowS() + HOUR + 60 }],
    [
      "a year-long token issued long ago, though little of it is left",
      { iat: nowS() - 360 * 86_400, exp: nowS() + 60 },
    ],
    ["no iat and exp further than the limit", { iat: undefined, exp: nowS() + 2 * HOUR }],
  ])("refuses %s with 401 and a message", async (_, claims) => {
    for (const route of PROTECTED_ROUTES) {
      const scope = route.rule.kind === "scope" ? route.rule.scope : undefined;
      const response = await call(app, route.method, route.path, {
        token: await token({ ...claims, scope }),
        ...(route.body === undefined ? {} : { body: route.body }),
      });
      expect(response.status, route.endpoint).toBe(401);
      expect(response.json.error).toMatchObject({
        code: "unauthenticated",
        message: expect.stringContaining("AUTH_JWT_MAX_TTL"),
      });
    }
  });

  it.each([
    ["exp − iat within the limit", { iat: nowS() - 60, exp: nowS() + HOUR - 120 }],
    ["no iat and exp within the limit", { iat: undefined, exp: nowS() + HOUR - 60 }],
  ])("accepts %s", async (_, claims) => {
    expect((await get(claims)).status).toBe(200);
  });

  it("tells a forged long-lived token only that it is invalid", async () => {
    const forged = await token(
      { iat: nowS(), exp: nowS() + 10 * HOUR },
      "another-secret-another-secret-another",
    );
    const response = await call(app, "GET", "/v1/flags", { token: forged });
    expect(response.status).toBe(401);
    expect(response.json.error.message).toBe("invalid token");
  });
});
