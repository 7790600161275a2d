import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Topics } from "@vigil/events";
import type { Sql } from "@vigil/store";
import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { CallRecord } from "./audit.ts";
import type { Principal } from "./auth.ts";
import { ApiError } from "./errors.ts";

export interface ApiDeps {
  sql: Sql;
  config: Pick<
    Config,
    | "AUTH_JWT_SECRET"
    | "AUTH_JWT_ISSUER"
    | "AUTH_JWT_AUDIENCE"
    | "AUTH_JWT_MAX_TTL"
    | "API_RATE_LIMIT_PER_MINUTE"
    | "API_MAX_BODY_BYTES"
  >;
  log: Logger;
  metrics: Metrics;
  /** /readyz: ready only while the consumer is in its group and the store answers. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean>; stalled?: string[] }>;
  /**
   * The text of /metrics when it is more than `metrics.registry` (the API in its own thread merges the
   * consumer's series in); `metrics.registry` alone otherwise.
   */
  exposition?: () => Promise<string>;
  now?: () => Date;
  /** Where resolutions and answers are published (flags, feedback); the contract's names by default. */
  topics?: Topics;
}

/** What the middleware learns about a request and hands to the routes. */
export interface ApiEnv {
  Variables: {
    /** Vigil's own id of the request. */
    requestId: string;
    /** The X-Request-Id the caller sent, storable and bounded; null when none. */
    callerRequestId: string | null;
    /** The matched route as documented, e.g. `GET /v1/flags/{id}`; unset when nothing matched. */
    endpoint?: string;
    principal?: Principal;
    /** Set by the audit of scoped routes: the call's audit entry, for routes that record it themselves. */
    callRecord?: CallRecord;
  };
}

export type ApiApp = OpenAPIHono<ApiEnv>;

/** The authenticated caller of a route whose access rule demanded one. */
export function principalOf(c: Context<ApiEnv>): Principal {
  const principal = c.get("principal");
  // Unreachable unless a route's access rule says "public" while its handler needs a caller.
  if (!principal) throw new ApiError("unauthenticated", "authentication required");
  return principal;
}
