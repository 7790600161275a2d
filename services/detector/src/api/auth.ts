import { verify } from "hono/jwt";
import type { Config } from "../config.ts";

/** Who is calling: the token's subject and the scopes it grants. */
export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
}

/** A token that passed verification: its caller, and when (epoch ms) it stops being valid. */
export interface VerifiedToken {
  principal: Principal;
  expiresAtMs: number;
}

export const SCOPES = ["flags:read", "flags:write", "audit:read"] as const;
export type Scope = (typeof SCOPES)[number];

export type AuthConfig = Pick<Config, "AUTH_JWT_SECRET" | "AUTH_JWT_ISSUER" | "AUTH_JWT_AUDIENCE"> &
  Partial<Pick<Config, "AUTH_JWT_MAX_TTL">>;

/** Why a token was refused; logged at debug, never shown beyond "invalid token" (no oracle for forgers). */
export class InvalidTokenError extends Error {}

/**
 * A token signed with our key whose lifetime is longer than AUTH_JWT_MAX_TTL allows. Its message is
 * shown to the caller: only a holder of a genuine token can learn it, and it says what to fix.
 */
export class TokenLifetimeError extends InvalidTokenError {}

/** `Authorization: Bearer <token>`, case-insensitive scheme; anything else is no token at all. */
export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer +([A-Za-z0-9_=.-]+) *$/i);
  return match?.[1] ?? null;
}

/**
 * Verifies an HS256 JWT. The algorithm is pinned: a header naming `none`, HS512 or any asymmetric
 * algorithm fails before the signature is looked at, so a public key can never be replayed as the
 * HMAC secret. `exp` and `sub` are required; `iss` and `aud` are checked when configured, and the
 * lifetime (exp − iat, or exp − now without iat) against AUTH_JWT_MAX_TTL.
 */
export async function verifyToken(token: string, config: AuthConfig): Promise<VerifiedToken> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, config.AUTH_JWT_SECRET, {
      alg: "HS256",
      ...(config.AUTH_JWT_ISSUER ? { iss: config.AUTH_JWT_ISSUER } : {}),
      ...(config.AUTH_JWT_AUDIENCE ? { aud: config.AUTH_JWT_AUDIENCE } : {}),
    });
  } catch (error) {
    // hono's messages embed the token itself; keep only the error's name.
    throw new InvalidTokenError(error instanceof Error ? error.name : "invalid token");
  }
  // hono checks `exp` only when present; a token that never expires is refused here.
  if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) {
    throw new InvalidTokenError("exp claim missing");
  }
  const maxTtl = config.AUTH_JWT_MAX_TTL;
  if (maxTtl !== undefined) {
    // Without iat, the lifetime left: a token minted long ago for years is still refused.
    const issued =
      typeof payload.iat === "number" && Number.isFinite(payload.iat) ? payload.iat : Date.now() / 1000;
    if (payload.exp - issued > maxTtl) {
      throw new TokenLifetimeError(
        `token lifetime exceeds the maximum of ${maxTtl} s (AUTH_JWT_MAX_TTL): ask for a shorter-lived token`,
      );
    }
  }
  const { sub, scope } = payload;
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 256) {
    throw new InvalidTokenError("sub claim missing or invalid");
  }
  if (scope !== undefined && typeof scope !== "string") {
    throw new InvalidTokenError("scope claim must be a space-separated string");
  }
  return {
    principal: { subject: sub, scopes: new Set(scope?.split(" ").filter(Boolean) ?? []) },
    // hono refuses a token once exp <= the current second, i.e. from exp * 1000 ms on.
    expiresAtMs: payload.exp * 1000,
  };
}
