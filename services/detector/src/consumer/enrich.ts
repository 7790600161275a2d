import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { type Observation, observe } from "@vigil/detection";
import type { AccountEvent, Location } from "@vigil/events";
import { type IpFacts, ipFacts, type Place } from "@vigil/geo";
import type { EventRecord } from "@vigil/store";

export interface Enriched {
  observation: Observation;
  record: EventRecord;
}

interface Address {
  facts: IpFacts | null;
  /** Keyed hash of the canonical address text; null when the text is not an address. */
  hash: string | null;
}

/**
 * Parsed, geolocated and hashed addresses, remembered: people come back from the same few
 * addresses, so most events skip the geoip lookup and the HMAC. Bounded: when full it starts over.
 */
export class Addresses {
  readonly #key: KeyObject;
  readonly #max: number;
  #known = new Map<string, Address>();

  constructor(ipHashKey: Buffer, max = 20_000) {
    // A KeyObject once: createHmac with a Buffer key would import the key again on every call.
    this.#key = createSecretKey(ipHashKey);
    this.#max = max;
  }

  of(text: string): Address {
    let address = this.#known.get(text);
    if (address === undefined) {
      const facts = ipFacts(text);
      const hash =
        facts === null ? null : createHmac("sha256", this.#key).update(facts.ip.text).digest("base64url");
      address = { facts, hash };
      if (this.#known.size >= this.#max) this.#known = new Map();
      this.#known.set(text, address);
    }
    return address;
  }
}

/** The event as detection scores it and as the store keeps it (raw IP, keyed hash, prefix, place, device). */
export function enrich(event: AccountEvent, addresses: Addresses): Enriched {
  const address = event.ip === undefined ? null : addresses.of(event.ip);
  const facts = address?.facts ?? null;
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
      ipHash: address?.hash ?? null,
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
