import { describe, expect, it } from "vitest";
import { flagPlaces, type MapPoint } from "./flagPlaces.ts";

const POINTS: Record<string, MapPoint> = {
  "10.0.0.1": { country: "FR", city: "Paris", lat: 48.86, lon: 2.35, accuracyKm: 20 },
  "10.0.0.2": { country: "FR", city: "Paris", lat: 48.85, lon: 2.34, accuracyKm: 20 },
  "10.0.0.3": { country: "FR", city: "Lyon", lat: 45.76, lon: 4.84, accuracyKm: 20 },
  "10.0.0.9": { country: "NG", city: "Lagos", lat: 6.45, lon: 3.4, accuracyKm: 50 },
};
const locate = (ip: string) => POINTS[ip] ?? null;
const login = (sessionId: string, occurredAt: string, ip: string | null) => ({ sessionId, occurredAt, ip });

describe("flagPlaces", () => {
  const logins = [
    login("attack", "2026-11-03T00:00:00Z", "10.0.0.9"),
    login("a", "2026-11-02T00:00:00Z", "10.0.0.1"),
    login("b", "2026-11-01T00:00:00Z", "10.0.0.2"),
    login("c", "2026-10-31T00:00:00Z", "10.0.0.3"),
    login("d", "2026-10-30T00:00:00Z", null),
    login("e", "2026-10-29T00:00:00Z", "192.0.2.1"),
  ];

  it("groups the other logins by city, most used first, and leaves out the flagged session", () => {
    const places = flagPlaces({ sessionId: "attack", reasons: [] }, null, logins, locate);
    expect(places.usual.map((p) => [p.city, p.logins, p.lastAt])).toEqual([
      ["Paris", 2, "2026-11-02T00:00:00Z"],
      ["Lyon", 1, "2026-10-31T00:00:00Z"],
    ]);
    expect(places.login?.city).toBe("Lagos");
    expect(places.travelFrom).toBeNull();
  });

  it("prefers the timeline's login address and draws travel from the session impossible travel names", () => {
    const reasons = [
      { code: "impossible_travel" as const, message: "Travelled", details: { previousSessionId: "c" } },
    ];
    const places = flagPlaces({ sessionId: "attack", reasons }, "10.0.0.1", logins, locate);
    expect(places.login?.city).toBe("Paris");
    expect(places.travelFrom).toMatchObject({ city: "Lyon", at: "2026-10-31T00:00:00Z" });
  });

  it("knows no login place for a sessionless flag or an address past retention", () => {
    expect(flagPlaces({ sessionId: null, reasons: [] }, null, logins, locate).login).toBeNull();
    expect(flagPlaces({ sessionId: "d", reasons: [] }, null, logins, locate).login).toBeNull();
  });
});
