import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../access.ts";
import { SCOPES } from "../auth.ts";
import { type ApiApp, principalOf } from "../deps.ts";
import { errorResponses } from "../errors.ts";
import { noQuery } from "../schemas.ts";

const meSchema = z
  .object({
    subject: z.string().openapi({ description: "The token's `sub`" }),
    scopes: z
      .array(z.enum(SCOPES))
      .openapi({ description: "The scopes this API knows that the token grants" }),
  })
  .openapi("Me");

export type GetMeResponse = z.output<typeof meSchema>;

export const getMeRoute = createRoute({
  method: "get",
  path: "/v1/me",
  tags: ["me"],
  summary: "Who the caller is and what the token allows",
  description:
    "Lets a client (the console, behind a reverse proxy that injects the bearer header or not) learn " +
    "whether it is signed in and which actions to offer. Shows only the caller's own token.",
  security: securityOf("GET /v1/me"),
  request: { query: noQuery },
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: meSchema } } },
    ...errorResponses("invalid_request", "unauthenticated", "rate_limited", "internal"),
  },
});

export function registerGetMe(app: ApiApp): void {
  app.openapi(getMeRoute, (c) => {
    const principal = principalOf(c);
    const scopes = SCOPES.filter((scope) => principal.scopes.has(scope));
    return c.json({ subject: principal.subject, scopes }, 200);
  });
}
