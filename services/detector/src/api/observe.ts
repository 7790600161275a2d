import type { MiddlewareHandler } from "hono";
import type { ApiDeps, ApiEnv } from "./deps.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Times every request into `vigil_http_request_duration_seconds`, labelled by the route pattern
 * (never the raw path, which would make a series per flag id), and logs it at debug level without
 * the caller's address or token.
 */
export function observeRequests(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const endpoint = c.get("endpoint");
    const route = endpoint ? endpoint.slice(endpoint.indexOf(" ") + 1) : "unmatched";
    const method = METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const status = c.res.status;
    deps.metrics.httpRequests.observe({ method, route, status: String(status) }, seconds);
    deps.log.debug(
      {
        requestId: c.get("requestId"),
        method,
        route,
        status,
        ms: Math.round(seconds * 1000),
        subject: c.get("principal")?.subject,
      },
      "request",
    );
  };
}

/** Flags, notices and audit entries are personal data: no cache, shared or private, may keep them. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("Cache-Control", "no-store");
};
