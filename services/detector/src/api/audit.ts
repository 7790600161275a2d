import { type AuditEntry, appendAudit } from "@vigil/store";
import type { Context } from "hono";
import type { Principal } from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";
import { toApiError } from "./errors.ts";

/** The audit entry of the call in progress, less its status; and the status a route already recorded. */
export interface CallRecord {
  entry: Omit<AuditEntry, "status">;
  recordedStatus: number | null;
}

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
  const record: CallRecord = {
    entry: {
      subject: principal.subject,
      action: endpoint,
      target: targetOf(c, endpoint),
      requestId: c.get("requestId") ?? null,
      callerRequestId: c.get("callerRequestId") ?? null,
    },
    recordedStatus: null,
  };
  c.set("callRecord", record);
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
  if (record.recordedStatus !== status) await appendAudit(deps.sql, { ...record.entry, status });
  if (failed) throw failure;
}

/**
 * For a route that reads in the same statement as it records the call (e.g. `appendAuditReadingFlags`):
 * `read` gets the call's entry with status 200 and commits it with the read; `audited` then appends
 * nothing more, unless the call ends with another status after all.
 */
export async function readOnRecord<T>(
  c: Context<ApiEnv>,
  read: (entry: AuditEntry) => Promise<T>,
): Promise<T> {
  const record = c.get("callRecord");
  // Unreachable unless a route without an audited access rule reads on record.
  if (!record) throw new Error("readOnRecord outside an audited call");
  const result = await read({ ...record.entry, status: 200 });
  record.recordedStatus = 200;
  return result;
}

/** The `{id}` in the path, else the user a list was narrowed to, else nothing. */
function targetOf(c: Context, endpoint: string): string | null {
  const pattern = endpoint.slice(endpoint.indexOf(" ") + 1).split("/");
  const segment = c.req.path.split("/")[pattern.indexOf("{id}")];
  // Bounded and made storable by the store (AUDIT_TEXT_LIMIT): a NUL in `?userId=` is recorded, not fatal.
  return pattern.includes("{id}") && segment ? decode(segment) : (c.req.query("userId") ?? null);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
