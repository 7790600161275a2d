// Builders for the engine's tests: events and observations without geoip, in readable event time.
import type { AccountEvent, AccountEventInput } from "@vigil/events";
import type { Asn, Place } from "@vigil/geo";
import type { DetectionConfig } from "./config.ts";
import { type Observation, observe } from "./observation.ts";
import type { PopulationState } from "./population.ts";
import { observeUser } from "./user.ts";
import { initialUserState, type UserState } from "./userState.ts";

export const T0 = Date.parse("2025-03-03T08:00:00Z");
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const place = (
  country: string,
  region: string,
  city: string,
  lat: number,
  lon: number,
  accuracyKm = 20,
): Place => ({
  country,
  region,
  city,
  lat,
  lon,
  accuracyKm,
});

export const PLACES = {
  berlin: place("DE", "BE", "Berlin", 52.52, 13.405),
  potsdam: place("DE", "BB", "Potsdam", 52.39, 13.06),
  hamburg: place("DE", "HH", "Hamburg", 53.55, 9.99),
  munich: place("DE", "BY", "Munich", 48.14, 11.58),
  london: place("GB", "ENG", "London", 51.507, -0.128),
  newYork: place("US", "NY", "New York", 40.713, -74.006),
  lagos: place("NG", "LA", "Lagos", 6.455, 3.384),
  paris: place("FR", "IDF", "Paris", 48.857, 2.352),
};

export const UA = {
  chromeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
};

let sequence = 0;

/** An event at `at` (epoch ms) with the given fields; ids are unique per process. */
export function event(
  at: number,
  fields: Partial<AccountEventInput> & { type: AccountEvent["type"] },
): AccountEvent {
  sequence += 1;
  return {
    id: `e${sequence}`,
    occurredAt: new Date(at).toISOString(),
    ...(fields.type === "content.deleted" || fields.type === "content.modified" ? { count: 1 } : {}),
    ...fields,
  } as AccountEvent;
}

export interface Where {
  place?: Place | null;
  network?: string | null;
  nonPublic?: boolean;
  asn?: Asn | null;
}

/** observe() with hand-made address facts. */
export function observed(e: AccountEvent, where: Where = {}): Observation {
  if (where.network === null || (where.network === undefined && where.place === undefined))
    return observe(e, null);
  return observe(e, {
    ip: { text: e.ip ?? "192.0.2.1", version: 4 },
    network: where.network ?? "192.0.2.0/24",
    place: where.place ?? null,
    nonPublic: where.nonPublic ?? false,
    asn: where.asn ?? null,
  });
}

export interface LoginOptions extends Where {
  userId?: string;
  sessionId?: string;
  userAgent?: string;
  deviceId?: string;
}

export function loginObs(at: number, options: LoginOptions = {}): Observation {
  const e = event(at, {
    type: "login.succeeded",
    userId: options.userId ?? "u1",
    sessionId: options.sessionId ?? `s${at}`,
    ip: "192.0.2.1",
    userAgent: options.userAgent ?? UA.chromeWindows,
    ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
  });
  return observed(e, {
    place: options.place ?? PLACES.berlin,
    network: options.network ?? "192.0.2.0/24",
    ...options,
  });
}

export function failureObs(
  at: number,
  options: Where & {
    userId?: string;
    reason?: "bad_password" | "unknown_account" | "mfa_failed";
    accountHint?: string;
    userAgent?: string;
    deviceId?: string;
  } = {},
): Observation {
  const e = event(at, {
    type: "login.failed",
    ...(options.reason === "unknown_account"
      ? { accountHint: options.accountHint ?? `hint${at}` }
      : { userId: options.userId ?? "u1" }),
    ip: "198.51.100.7",
    reason: options.reason ?? "bad_password",
    userAgent: options.userAgent ?? UA.firefoxLinux,
    ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
  });
  return observed(e, {
    place: options.place ?? PLACES.lagos,
    network: options.network ?? "198.51.100.0/24",
    ...options,
  });
}

/** An in-session event (settings or content) without an address, as most are. */
export function sessionObs(
  at: number,
  sessionId: string,
  fields: Partial<AccountEventInput> & { type: AccountEvent["type"] },
  userId = "u1",
): Observation {
  return observed(event(at, { userId, sessionId, ...fields }), { network: null });
}

/** A settled account: `logins` logins from Berlin on the home network with a Windows laptop, 18 h apart. */
export function history(
  logins: number,
  population: PopulationState,
  config?: DetectionConfig,
  start = T0,
): { state: UserState; end: number } {
  let state: UserState | undefined;
  let at = start;
  for (let i = 0; i < logins; i++) {
    at = start + i * 18 * HOUR;
    const sessionId = `home${i}`;
    state = observeUser(state, population, loginObs(at, { sessionId, deviceId: "laptop-1" }), config).state;
    state = observeUser(
      state,
      population,
      sessionObs(at + MINUTE, sessionId, { type: "session.ended" }),
      config,
    ).state;
  }
  return { state: state ?? initialUserState(), end: at + MINUTE };
}
