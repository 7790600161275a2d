import { createRoute, z } from "@hono/zod-openapi";
import { securityOf } from "../api/access.ts";
import type { ApiApp } from "../api/deps.ts";
import { ApiError } from "../api/errors.ts";
import { loadConsoleAssets } from "./assets.ts";

const html = { "text/html": { schema: z.string() } };

export const consoleRoute = createRoute({
  method: "get",
  path: "/console",
  tags: ["console"],
  summary: "The analyst console (HTML)",
  description:
    "A web page for trust and safety: the queue, each flag with its timeline and map, resolutions and " +
    "the audit log. It calls this API from the same origin with the analyst's token or with the bearer " +
    "header a reverse proxy adds.",
  security: securityOf("GET /console"),
  responses: { 200: { description: "The console's page", content: html } },
});

export const consoleAssetRoute = createRoute({
  method: "get",
  path: "/console/{asset}",
  tags: ["console"],
  summary: "A script, style sheet or map file of the console",
  security: securityOf("GET /console/{asset}"),
  request: {
    params: z.object({
      asset: z
        .string()
        .max(64)
        .openapi({ param: { name: "asset", in: "path" } }),
    }),
  },
  responses: {
    200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
    404: { description: "No such file" },
  },
});

/** Serves the console's page and its fixed set of files, read into memory once. */
export function registerConsole(app: ApiApp): void {
  const assets = loadConsoleAssets();
  const serve = (name: string) => {
    const found = assets.get(name);
    if (!found) throw new ApiError("not_found", "no such console file");
    return new Response(found.body, {
      headers: { "Content-Type": found.contentType, "Cache-Control": "no-cache" },
    });
  };
  app.openapi(consoleRoute, () => serve("index.html"));
  app.openapi(consoleAssetRoute, (c) => serve(c.req.valid("param").asset));
}
