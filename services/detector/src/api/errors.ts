import { z } from "@hono/zod-openapi";
import { InvalidCursorError } from "@vigil/store";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** Every error code the API answers with (docs/contract.md, "HTTP API"). A client switches on these, never on messages. */
export const ERROR_CODES = [
  "invalid_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "payload_too_large",
  "rate_limited",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one place that decides which status an error code carries. */
export const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
};

const DESCRIPTION_OF: Record<ErrorCode, string> = {
  invalid_request: "The request is malformed: unknown or invalid parameters, body or cursor",
  unauthenticated: "No bearer token, or one that is malformed, expired, wrongly signed or for another issuer",
  forbidden: "The token lacks the scope this route needs",
  not_found: "No such resource, or one the caller may not see",
  payload_too_large: "The request body exceeds the configured limit",
  rate_limited: "Too many requests for this token (or address); retry after `Retry-After` seconds",
  internal: "An unexpected failure; the request id identifies it in the service's logs",
};

/** An error a client can act on; anything else becomes `internal`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.headers = headers;
  }

  get status(): ContentfulStatusCode {
    return STATUS_OF[this.code];
  }
}

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");
export type ErrorBody = z.output<typeof errorBodySchema>;

/** The documented error responses of a route, all with the one error shape. */
export function errorResponses(...codes: ErrorCode[]) {
  return Object.fromEntries(
    codes.map((code) => [
      STATUS_OF[code],
      { description: DESCRIPTION_OF[code], content: { "application/json": { schema: errorBodySchema } } },
    ]),
  );
}

/** A zod failure as one readable line naming every offending field, e.g. `query.limit: Too big ...`. */
export function validationError(target: string, error: ZodError): ApiError {
  const lines = error.issues.map(
    (issue) => `${[target, ...issue.path.map(String)].join(".")}: ${issue.message}`,
  );
  return new ApiError("invalid_request", lines.join("; "));
}

/** Maps anything thrown to the error the client sees. Only `internal` hides its message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidCursorError)
    return new ApiError("invalid_request", `query.cursor: ${error.message}`);
  if (error instanceof HTTPException) {
    // hono's own rejections: malformed JSON (400), a body of another media type (415), the body limit (413).
    if (error.status === 413) return new ApiError("payload_too_large", "request body too large");
    if (error.status === 415) return new ApiError("invalid_request", "body must be application/json");
    const code = ERROR_CODES.find((c) => STATUS_OF[c] === error.status && c !== "internal");
    if (code) return new ApiError(code, error.message || code);
  }
  return new ApiError("internal", "internal error");
}
