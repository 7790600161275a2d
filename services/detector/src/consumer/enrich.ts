import { createHmac } from "node:crypto";
import { type Observation, observe } from "@vigil/detection";
import type { AccountEvent, Location } from "@vigil/events";
import { ipFacts, type Place } from "@vigil/geo";
import type { EventRecord } from "@vigil/store";

export interface Enriched {
  observation: Observation;
  record: EventRecord;
}

/** The event as detection scores it and as the store keeps it (raw IP, keyed hash, prefix, place, device). */
export function enrich(event: AccountEvent, ipHashKey: Buffer): Enriched {
  const facts = event.ip === undefined ? null : ipFacts(event.ip);
  const observation = observe(event, facts);
  const {
    id,
    type,
    occurredAt,
    userAgent: _ua,
    deviceId,
    ip: _ip,
    userId,
    sessionId,
    ...detail
  } = event as AccountEvent & {
    sessionId?: string;
    userId?: string;
  };
  const ip = facts?.ip.text ?? null;
  return {
    observation,
    record: {
      id,
      userId: userId ?? null,
      sessionId: sessionId ?? null,
      type,
      occurredAt,
      ip,
      ipHash: ip === null ? null : createHmac("sha256", ipHashKey).update(ip).digest("base64url"),
      network: observation.network,
      location: toLocation(observation.place),
      device: observation.device?.family ?? null,
      detail: deviceId === undefined ? detail : { ...detail, deviceId },
    },
  };
}

/** The approximate place as the contract shows it: country, region and city, no coordinates. */
export function toLocation(place: Place | null): Location | null {
  if (place === null) return null;
  return {
    country: place.country,
    ...(place.region ? { region: place.region } : {}),
    ...(place.city ? { city: place.city } : {}),
  };
}
