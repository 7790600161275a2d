import type { Observation } from "@vigil/detection";
import type { AccountEvent } from "@vigil/events";
import type { Asn } from "@vigil/geo";
import { z } from "zod";

/**
 * A login as published on the by-source topic: what the per-source stage needs (who, what, when,
 * from which network) and the address's keyed hash, never the address itself nor the user agent.
 * The topic is internal, kept for days, and readable by whoever operates the cluster.
 */
export interface SourceLogin {
  id: string;
  type: "login.succeeded" | "login.failed";
  occurredAt: string;
  userId?: string | undefined;
  reason?: string | undefined;
  accountHint?: string | undefined;
  /** "203.0.113.0/24" or "2001:db8:1::/48". */
  network: string;
  /** HMAC-SHA-256 of the address under IP_HASH_KEY; null when it could not be computed. */
  ipHash: string | null;
  /** The address's autonomous system: the operator of the network, not the client. */
  asn?: Asn | null | undefined;
}

const sourceLoginSchema = z.object({
  id: z.string().min(1),
  type: z.enum(["login.succeeded", "login.failed"]),
  occurredAt: z.string().refine((text) => Number.isFinite(Date.parse(text))),
  userId: z.string().optional(),
  reason: z.string().optional(),
  accountHint: z.string().optional(),
  network: z.string().min(1),
  ipHash: z.string().nullable(),
  asn: z.object({ number: z.number().int(), org: z.string() }).nullable().optional(),
});

/** The login event as the by-source topic carries it. */
export function sourceLogin(
  event: AccountEvent,
  network: string,
  ipHash: string | null,
  asn: Asn | null = null,
): SourceLogin {
  return {
    id: event.id,
    type: event.type as SourceLogin["type"],
    occurredAt: event.occurredAt,
    userId: event.userId,
    ...(event.type === "login.failed" ? { reason: event.reason, accountHint: event.accountHint } : {}),
    network,
    ipHash,
    asn,
  };
}

/** A message of the by-source topic in this format; null for anything else. */
export function parseSourceLogin(value: Buffer | null): SourceLogin | null {
  if (value === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch {
    return null;
  }
  const result = sourceLoginSchema.safeParse(json);
  return result.success ? result.data : null;
}

/**
 * The observation the per-source stage scores: its event carries the login's outcome and accounts,
 * which is all `observeSource` reads; no place, device or address.
 */
export function sourceObservation(login: SourceLogin): Observation {
  const { network, ipHash: _hash, asn, ...event } = login;
  return {
    event: event as AccountEvent,
    at: Date.parse(login.occurredAt),
    network,
    place: null,
    nonPublic: false,
    asn: asn ?? null,
    device: null,
  };
}
