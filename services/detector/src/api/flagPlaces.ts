import type { Reason } from "@vigil/events";

/** A located point: where geolocation puts an address, to within `accuracyKm`. */
export interface MapPoint {
  country: string;
  city: string | null;
  lat: number;
  lon: number;
  accuracyKm: number;
}

/** A place the account usually logs in from: its latest logins grouped by city. */
export interface UsualPlace {
  country: string;
  city: string | null;
  lat: number;
  lon: number;
  logins: number;
  lastAt: string;
}

export interface FlagPlaces {
  /** Where the flagged session logged in from; null when unknown or its address is past retention. */
  login: MapPoint | null;
  /** For impossible travel: the earlier login it was measured from. */
  travelFrom: (MapPoint & { at: string }) | null;
  /** The account's other recent logins by place, most used first. */
  usual: UsualPlace[];
}

export interface LoginSeen {
  sessionId: string | null;
  occurredAt: string;
  ip: string | null;
}

const MAX_USUAL_PLACES = 40;

/**
 * What the flag page's map shows, from the flag, its session's login and the account's latest
 * logins. `locate` turns an address into a point (null when it cannot); addresses never leave here.
 */
export function flagPlaces(
  flag: { sessionId: string | null; reasons: readonly Reason[] },
  loginIp: string | null,
  logins: readonly LoginSeen[],
  locate: (ip: string) => MapPoint | null,
): FlagPlaces {
  const ownLogin = logins.find((l) => flag.sessionId !== null && l.sessionId === flag.sessionId);
  const ip = loginIp ?? ownLogin?.ip ?? null;
  const login = ip === null ? null : locate(ip);

  const travel = flag.reasons.find((r) => r.code === "impossible_travel");
  const previousSessionId = travel?.details?.previousSessionId;
  const previous = logins.find(
    (l) => typeof previousSessionId === "string" && l.sessionId === previousSessionId,
  );
  const previousPoint = previous?.ip ? locate(previous.ip) : null;
  const travelFrom = previous && previousPoint ? { ...previousPoint, at: previous.occurredAt } : null;

  const byPlace = new Map<string, UsualPlace>();
  for (const other of logins) {
    if (other.ip === null || (flag.sessionId !== null && other.sessionId === flag.sessionId)) continue;
    const point = locate(other.ip);
    if (point === null) continue;
    const key = `${point.country}/${point.city ?? ""}`;
    const known = byPlace.get(key);
    if (known) {
      known.logins += 1;
      if (other.occurredAt > known.lastAt) known.lastAt = other.occurredAt;
    } else {
      byPlace.set(key, {
        country: point.country,
        city: point.city,
        lat: point.lat,
        lon: point.lon,
        logins: 1,
        lastAt: other.occurredAt,
      });
    }
  }
  const usual = [...byPlace.values()]
    .sort((a, b) => b.logins - a.logins || b.lastAt.localeCompare(a.lastAt))
    .slice(0, MAX_USUAL_PLACES);
  return { login, travelFrom, usual };
}
