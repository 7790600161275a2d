import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidTokenError, verifyToken } from "./auth.ts";
import { VerifiedTokens } from "./verifiedTokens.ts";

const SECRET = "an-hs256-test-secret-of-at-least-32-chars";
const config = { AUTH_JWT_SECRET: SECRET };
const nowSeconds = () => Math.floor(Date.now() / 1000);
const token = (exp = nowSeconds() + 60, secret = SECRET) =>
  sign({ sub: "analyst-1", scope: "flags:read", exp }, secret, "HS256");

describe("VerifiedTokens", () => {
  afterEach(() => vi.useRealTimers());

  it("verifies a token once and answers its caller from memory after that", async () => {
    const verify = vi.fn((t: string) => verifyToken(t, config));
    const tokens = new VerifiedTokens(verify);
    const bearer = await token();
    for (let i = 0; i < 3; i++) {
      const principal = await tokens.verify(bearer);
      expect(principal.subject).toBe("analyst-1");
      expect([...principal.scopes]).toEqual(["flags:read"]);
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it("refuses a remembered token from its exp on", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const tokens = new VerifiedTokens((t) => verifyToken(t, config));
    const exp = nowSeconds() + 60;
    const bearer = await token(exp);
    await tokens.verify(bearer);
    vi.setSystemTime(exp * 1000 - 1);
    await expect(tokens.verify(bearer)).resolves.toMatchObject({ subject: "analyst-1" });
    vi.setSystemTime(exp * 1000);
    await expect(tokens.verify(bearer)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("remembers only tokens that passed, by their whole text: a changed signature is checked and refused", async () => {
    const tokens = new VerifiedTokens((t) => verifyToken(t, config));
    const genuine = await token();
    const forged = `${genuine.slice(0, genuine.lastIndexOf("."))}.${(await token(undefined, `${SECRET}x`)).split(".")[2]}`;
    await tokens.verify(genuine);
    for (let i = 0; i < 2; i++) await expect(tokens.verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("holds at most its capacity, forgetting the oldest token first", async () => {
    const verify = vi.fn(async (t: string) => ({
      principal: { subject: t, scopes: new Set<string>() },
      expiresAtMs: Date.now() + 60_000,
    }));
    const tokens = new VerifiedTokens(verify, 2);
    for (const t of ["a", "b", "c", "b", "c"]) await tokens.verify(t);
    expect(verify).toHaveBeenCalledTimes(3);
    await tokens.verify("a");
    expect(verify).toHaveBeenCalledTimes(4);
  });
});
