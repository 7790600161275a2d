import type { AccountEvent, ClientField } from "@vigil/events";
import type { Asn, IpFacts, Place } from "@vigil/geo";
import { type DeviceInfo, deviceInfo } from "./device.ts";

/** An event with what its address and User-Agent say, ready for scoring. */
export interface Observation {
  event: AccountEvent;
  /** Epoch ms of occurredAt: every window is in event time. */
  at: number;
  /** "1.2.3.0/24" or "2001:db8:1::/48"; null when the event carries no address. */
  network: string | null;
  place: Place | null;
  /** Private, loopback and similar addresses say nothing about place. */
  nonPublic: boolean;
  /** The autonomous system of the address; null when unknown or the event carries none. */
  asn: Asn | null;
  device: DeviceInfo | null;
  /** Client-controlled fields that arrived malformed (cut, cleaned or dropped by the schema). */
  malformed?: readonly ClientField[];
}

/** The one mapping from an event and its address facts to an observation (service and evaluator alike). */
export function observe(event: AccountEvent, facts: IpFacts | null): Observation {
  return {
    event,
    at: Date.parse(event.occurredAt),
    network: facts?.network ?? null,
    place: facts?.place ?? null,
    nonPublic: facts?.nonPublic ?? false,
    asn: facts?.asn ?? null,
    device: deviceInfo(event.userAgent),
    ...(event.malformed === undefined ? {} : { malformed: event.malformed }),
  };
}
