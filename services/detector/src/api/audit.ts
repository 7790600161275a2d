import { appendAudit } from "@vigil/store";
import type { Context } from "hono";
import type { Principal } from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";
import { toApiError } from "./errors.ts";

/**
 * Runs an analyst or operator call and appends who did what to which target, and how it ended,
 * to the audit log, whether it succeeded, was refused or failed. If the entry cannot be written the
 * caller gets a 500 instead of the answer: personal data is not served unaudited. (A resolution
 * already committed stays committed; repeating it is idempotent.)
 */
export async function audited(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  principal: Principal,
  endpoint: string,
  run: () => Promise<void>,
): Promise<void> {
  let failed = false;
  let failure: unknown;
  let status: number;
  try {
    await run();
    status = c.res.status;
  } catch (error) {
    failed = true;
    failure = error;
    status = toApiError(error).status;
  }
  await appendAudit(deps.sql, {
    subject: principal.subject,
    action: endpoint,
    target: targetOf(c, endpoint),
    status,
    requestId: c.get("requestId") ?? null,
  });
  if (failed) throw failure;
}

/** The `{id}` in the path, else the user a list was narrowed to, else nothing. */
function targetOf(c: Context, endpoint: string): string | null {
  const pattern = endpoint.slice(endpoint.indexOf(" ") + 1).split("/");
  const segment = c.req.path.split("/")[pattern.indexOf("{id}")];
  const target = pattern.includes("{id}") && segment ? decode(segment) : (c.req.query("userId") ?? null);
  return target === null ? null : target.slice(0, 256);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
