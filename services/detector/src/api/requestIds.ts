import { randomUUID } from "node:crypto";
import { cleanText } from "@vigil/events";
import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "./deps.ts";

/** The longest caller's request id kept; longer ones are cut. */
const CALLER_ID_LIMIT = 256;

/**
 * Every request gets Vigil's own id (a random UUID), answered in `X-Request-Id` and used in error
 * bodies, logs and the audit log: a caller cannot choose what the audit records as the request.
 * The id the caller sent, if any, is kept apart (storable and bounded) for correlation only.
 */
export const requestIds: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const id = randomUUID();
  c.set("requestId", id);
  const sent = c.req.header("x-request-id");
  c.set("callerRequestId", sent === undefined ? null : cleanText(sent, CALLER_ID_LIMIT) || null);
  c.header("X-Request-Id", id);
  await next();
};
