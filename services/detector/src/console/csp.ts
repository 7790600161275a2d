import type { Context } from "hono";

/** True for the console's page and assets, the only paths that may load scripts and styles. */
export function isConsolePath(path: string): boolean {
  return path === "/console" || path.startsWith("/console/");
}

/**
 * The Content-Security-Policy `default-src` of a response: the console may load from its own origin
 * only (no inline script or style, nothing from elsewhere); the API's JSON may load nothing at all.
 */
export function defaultSource(c: Context): string {
  return isConsolePath(c.req.path) ? "'self'" : "'none'";
}
