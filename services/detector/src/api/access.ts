import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { audited } from "./audit.ts";
import {
  bearerToken,
  InvalidTokenError,
  type Principal,
  type Scope,
  TokenLifetimeError,
  verifyToken,
} from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";
import { ApiError } from "./errors.ts";
import { RequestBudget } from "./rateLimit.ts";
import { VerifiedTokens } from "./verifiedTokens.ts";

export type AccessRule = { kind: "public" } | { kind: "authenticated" } | { kind: "scope"; scope: Scope };

const open = { kind: "public" } as const;
const anyToken = { kind: "authenticated" } as const;
const scope = (name: Scope) => ({ kind: "scope", scope: name }) as const;

/**
 * Who may call what: every route, by its documented pattern. Deny by default: a route that is not
 * listed here answers 404 to everyone, whatever their token. Routes with a scope are analyst and
 * operator routes, and every call to them is audited.
 */
export const ACCESS = {
  "GET /healthz": open,
  "GET /readyz": open,
  "GET /metrics": open,
  "GET /openapi.json": open,
  "GET /asyncapi.json": open,
  "GET /console": open,
  "GET /console/{asset}": open,
  "GET /v1/flags": scope("flags:read"),
  "GET /v1/flags/{id}": scope("flags:read"),
  "GET /v1/flags/{id}/context": scope("flags:read"),
  "GET /v1/queue": scope("flags:read"),
  "POST /v1/flags/{id}/resolution": scope("flags:write"),
  "GET /v1/audit": scope("audit:read"),
  "GET /v1/me": anyToken,
  "GET /v1/me/notices": anyToken,
  "POST /v1/me/notices/{id}/response": anyToken,
} as const satisfies Record<string, AccessRule>;
export type Endpoint = keyof typeof ACCESS;

/** The OpenAPI security requirement of an endpoint, derived from its rule so the two cannot disagree. */
export function securityOf(endpoint: Endpoint): Record<string, string[]>[] {
  const rule: AccessRule = ACCESS[endpoint];
  if (rule.kind === "public") return [];
  return [{ bearerAuth: rule.kind === "scope" ? [rule.scope] : [] }];
}

/** The route that will answer, as `METHOD /documented/{pattern}`; null when none matches (404). */
export function endpointOf(c: Context): string | null {
  // Middleware is registered for ALL methods; the first route with a real method is the handler's.
  const route = matchedRoutes(c).find((r) => r.method !== "ALL");
  return route ? `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}` : null;
}

const unauthenticated = (message: string) =>
  new ApiError("unauthenticated", message, {
    "WWW-Authenticate": 'Bearer realm="vigil", error="invalid_token"',
  });

/** Resolves the route's rule, authenticates, spends the caller's request budget and enforces the rule. */
export function guard(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const budget = new RequestBudget(deps.config.API_RATE_LIMIT_PER_MINUTE);
  const tokens = new VerifiedTokens((token) => verifyToken(token, deps.config));
  const now = deps.now ?? (() => new Date());
  return async (c, next) => {
    const endpoint = endpointOf(c);
    if (endpoint === null) return next();
    c.set("endpoint", endpoint);
    const rule: AccessRule | undefined = (ACCESS as Record<string, AccessRule>)[endpoint];
    if (!rule) throw new ApiError("not_found", "no such route");
    if (rule.kind === "public") return next();

    const header = c.req.header("authorization");
    const { principal, refusal } = await authenticate(header, tokens, deps);
    // Strangers are limited by address so that guessing tokens is as slow as using one.
    const caller = principal ? `sub:${principal.subject}` : `addr:${remoteAddress(c)}`;
    const spent = budget.take(caller, now().getTime());
    if (!spent.allowed) {
      throw new ApiError("rate_limited", "too many requests", {
        "Retry-After": String(spent.retryAfterSeconds),
      });
    }
    if (!principal) throw unauthenticated(header === undefined ? "bearer token required" : refusal);
    c.set("principal", principal);
    if (rule.kind === "authenticated") return next();

    const needed = rule.scope;
    // End users' tokens are refused without an audit entry each: they would flood the log, which
    // records what analysts and operators did. Counted instead.
    if (!isStaff(principal)) {
      deps.metrics.unauditedRefusals.inc({ route: endpoint.slice(endpoint.indexOf(" ") + 1) });
      throw new ApiError("forbidden", `this route needs the ${needed} scope`);
    }
    await audited(c, deps, principal, endpoint, async () => {
      if (!principal.scopes.has(needed))
        throw new ApiError("forbidden", `this route needs the ${needed} scope`);
      await next();
    });
  };
}

/** An analyst or operator: a token with some `flags:*` or `audit:*` scope. */
function isStaff(principal: Principal): boolean {
  for (const granted of principal.scopes) {
    if (granted.startsWith("flags:") || granted.startsWith("audit:")) return true;
  }
  return false;
}

/** The caller, or why not: "invalid token" unless the token is ours and only its lifetime is wrong. */
async function authenticate(
  header: string | undefined,
  tokens: VerifiedTokens,
  deps: ApiDeps,
): Promise<{ principal: Principal | null; refusal: string }> {
  const refused = (refusal = "invalid token") => ({ principal: null, refusal });
  if (header === undefined) return refused();
  const token = bearerToken(header);
  if (token === null) return refused();
  try {
    return { principal: await tokens.verify(token), refusal: "" };
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    deps.log.debug({ reason: error.message }, "token refused");
    return refused(error instanceof TokenLifetimeError ? error.message : undefined);
  }
}

/** The peer address from @hono/node-server's request; absent under `app.request()` in tests. */
function remoteAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}
