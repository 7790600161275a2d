import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { defaultSource } from "../console/csp.ts";
import { registerConsole } from "../console/routes.ts";
import { guard } from "./access.ts";
import type { ApiApp, ApiDeps, ApiEnv } from "./deps.ts";
import { ApiError, type ErrorBody, toApiError, validationError } from "./errors.ts";
import { noStore, observeRequests } from "./observe.ts";
import { requestIds } from "./requestIds.ts";
import { registerAsyncapiDocument } from "./routes/asyncapiDocument.ts";
import { registerGetFlag } from "./routes/getFlag.ts";
import { registerGetFlagContext } from "./routes/getFlagContext.ts";
import { registerGetMe } from "./routes/getMe.ts";
import { registerHealthz } from "./routes/healthz.ts";
import { registerListAudit } from "./routes/listAudit.ts";
import { registerListFlags } from "./routes/listFlags.ts";
import { registerListNotices } from "./routes/listNotices.ts";
import { registerListQueue } from "./routes/listQueue.ts";
import { registerMetrics } from "./routes/metrics.ts";
import { registerOpenapiDocument } from "./routes/openapiDocument.ts";
import { registerReadyz } from "./routes/readyz.ts";
import { registerResolveFlag } from "./routes/resolveFlag.ts";
import { registerRespondToNotice } from "./routes/respondToNotice.ts";

export { ACCESS, type Endpoint } from "./access.ts";
export type { ApiApp, ApiDeps } from "./deps.ts";
export { ERROR_CODES, type ErrorCode } from "./errors.ts";

const TARGET_NAMES: Record<string, string> = { param: "path", json: "body" };

/**
 * The HTTP API (docs/contract.md, "HTTP API"). Every request passes, in order: request id, timing, security
 * headers, no-store on /v1, the access rule of its route (authentication, rate limit, scope, audit),
 * the body limit, then the route's own zod validation. Every failure leaves through `onError`.
 */
export function createApi(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(TARGET_NAMES[result.target] ?? result.target, result.error);
    },
  });

  app.use(requestIds);
  app.use(observeRequests(deps));
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: [defaultSource], frameAncestors: ["'none'"] },
      crossOriginResourcePolicy: "same-origin",
      xFrameOptions: "DENY",
    }),
  );
  app.use("/v1/*", noStore);
  app.use(guard(deps));
  const limitBody = bodyLimit({
    maxSize: deps.config.API_MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", `request body exceeds ${deps.config.API_MAX_BODY_BYTES} bytes`);
    },
  });
  // GET and HEAD carry no body; asking for one would build a full fetch Request per call for nothing.
  app.use((c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)));

  registerHealthz(app);
  registerReadyz(app, deps);
  registerMetrics(app, deps);
  registerListFlags(app, deps);
  registerGetFlag(app, deps);
  registerGetFlagContext(app, deps);
  registerListQueue(app, deps);
  registerResolveFlag(app, deps);
  registerGetMe(app);
  registerListNotices(app, deps);
  registerRespondToNotice(app, deps);
  registerListAudit(app, deps);
  registerOpenapiDocument(app);
  registerAsyncapiDocument(app);
  registerConsole(app);

  app.notFound(() => {
    throw new ApiError("not_found", "no such route");
  });
  app.onError((error, c) => {
    const failure = toApiError(error);
    if (failure.status >= 500) {
      deps.log.error(
        { err: error, requestId: c.get("requestId"), route: c.get("endpoint") },
        "request failed",
      );
    }
    const body: ErrorBody = {
      error: { code: failure.code, message: failure.message, requestId: c.get("requestId") ?? "" },
    };
    return c.json(body, failure.status, failure.headers);
  });
  return app;
}
