import { distanceKm, type Place } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig as config } from "./config.ts";
import type { ReferencePlace } from "./profile.ts";
import { HOUR, MINUTE, PLACES, T0 } from "./testing.ts";
import { impossibleTravel } from "./travel.ts";

const from = (place: Place, at = T0): ReferencePlace => ({
  at,
  lat: place.lat,
  lon: place.lon,
  accuracyKm: place.accuracyKm,
  country: place.country,
  city: place.city,
  sessionId: "before",
});

const trip = (...args: Parameters<typeof impossibleTravel>) => impossibleTravel(...args)?.reason ?? null;

describe("impossibleTravel", () => {
  const { berlin, newYork, london } = PLACES;
  const certainKm = distanceKm(berlin, newYork) - berlin.accuracyKm - newYork.accuracyKm;
  const atSpeed = (kmh: number) => T0 + (certainKm / kmh) * HOUR;

  it("flags travel just faster than the limit, after subtracting both accuracy radii", () => {
    const reason = trip({ places: [from(berlin)] }, newYork, atSpeed(1001), config);
    expect(reason?.code).toBe("impossible_travel");
    expect(reason?.details?.speedKmh).toBe(1001);
    expect(reason?.message).toMatch(
      /^Travelled 6,38\d km in \d+ h \d+ min \(1,001 km\/h\) from Berlin, Germany to New York, United States$/,
    );
  });

  it("scores a trip just above an airliner's speed half, growing to full where it is impossible beyond doubt", () => {
    const points = (kmh: number) => trip({ places: [from(berlin)] }, newYork, atSpeed(kmh), config)?.points;
    const { maxSpeedKmh, certainSpeedKmh, points: full } = config.travel;
    expect(points(maxSpeedKmh + 1)).toBe(full / 2);
    expect(points((maxSpeedKmh + certainSpeedKmh) / 2)).toBe((full * 3) / 4);
    expect(points(certainSpeedKmh - 10)).toBeLessThan(full);
    expect(points(certainSpeedKmh)).toBe(full);
    expect(trip({ places: [from(berlin)] }, newYork, T0, config)?.points).toBe(full);
  });

  it("lets travel just within the limit pass", () => {
    expect(trip({ places: [from(berlin)] }, newYork, atSpeed(999), config)).toBeNull();
  });

  it("tells a short hop in minutes", () => {
    const reason = trip({ places: [from(london)] }, newYork, T0 + 42 * MINUTE, config);
    expect(reason?.message).toMatch(
      /^Travelled 5,57\d km in 42 min \([\d,]+ km\/h\) from London, United Kingdom to New York/,
    );
  });

  it("never flags neighbouring places: just inside the neighbour distance passes, just outside is flagged", () => {
    const near = (certain: number): Place => {
      const place = { ...berlin, city: "Elsewhere", lat: berlin.lat + 4 };
      return { ...place, accuracyKm: distanceKm(berlin, place) - berlin.accuracyKm - certain };
    };
    const at = T0 + MINUTE; // any speed is impossible in a minute
    expect(trip({ places: [from(berlin)] }, near(config.travel.neighbourKm - 1), at, config)).toBeNull();
    expect(
      impossibleTravel({ places: [from(berlin)] }, near(config.travel.neighbourKm + 1), at, config)?.reason
        ?.code,
    ).toBe("impossible_travel");
  });

  it("never flags the same city, an unknown place or an account without located logins", () => {
    expect(
      impossibleTravel({ places: [from(berlin)] }, { ...berlin, lat: 60 }, T0 + MINUTE, config),
    ).toBeNull();
    expect(impossibleTravel({ places: [from(berlin)] }, null, T0 + MINUTE, config)).toBeNull();
    expect(impossibleTravel({ places: [] }, newYork, T0 + MINUTE, config)).toBeNull();
  });

  it("compares a late login with the nearest later reference when none is earlier", () => {
    const reason = trip({ places: [from(berlin, T0 + 30 * MINUTE)] }, newYork, T0, config);
    expect(reason?.message).toContain("from New York, United States to Berlin, Germany");
  });

  it("uses the latest reference at or before the login", () => {
    const places = [from(newYork, T0 - 10 * HOUR), from(berlin, T0 - 30 * MINUTE)];
    expect(trip({ places }, PLACES.potsdam, T0, config)).toBeNull();
  });

  it("is roaming, not travel, on the same carrier at both ends or on the account's own carrier and device", () => {
    const at = T0 + 20 * MINUTE;
    const carrierAbroad = { places: [{ ...from(newYork), asn: 3320 }] };
    expect(trip(carrierAbroad, berlin, at, config, { asn: 3320, ownCarrier: false })).toBeNull();
    expect(trip(carrierAbroad, berlin, at, config, { asn: 64500, ownCarrier: false })?.code).toBe(
      "impossible_travel",
    );
    expect(trip({ places: [from(newYork)] }, berlin, at, config, { asn: 3320, ownCarrier: true })).toBeNull();
  });

  it("stops calling a place pair impossible once the user has made it quietly often enough", () => {
    const at = T0 + 30 * MINUTE;
    const found = impossibleTravel({ places: [from(berlin)] }, newYork, at, config);
    expect(found?.pair).toBe("DE/Berlin|US/New York");
    const once = {
      places: [from(berlin)],
      pairs: { [found?.pair ?? ""]: { n: config.travel.learnedPair - 1, at: T0 } },
    };
    const learned = {
      places: [from(berlin)],
      pairs: { [found?.pair ?? ""]: { n: config.travel.learnedPair, at: T0 } },
    };
    expect(trip(once, newYork, at, config)?.code).toBe("impossible_travel");
    expect(trip(learned, newYork, at, config)).toBeNull();
    // Either direction is the same pair.
    expect(trip({ places: [from(newYork)], pairs: learned.pairs }, berlin, at, config)).toBeNull();
  });

  it("counts half on an account's first login and fully once its history is learned", () => {
    const at = T0 + 30 * MINUTE;
    const learning = config.novelty.learningLogins;
    expect(trip({ places: [from(berlin)], logins: 0 }, newYork, at, config)?.points).toBe(
      config.travel.points / 2,
    );
    expect(trip({ places: [from(berlin)], logins: learning }, newYork, at, config)?.points).toBe(
      config.travel.points,
    );
  });

  it("counts a trip inside one country less: a gateway often geolocates far from its customer", () => {
    const { munich, hamburg } = PLACES;
    const logins = config.novelty.learningLogins;
    const domestic = trip({ places: [from(munich)], logins }, hamburg, T0 + 5 * MINUTE, config);
    expect(domestic?.code).toBe("impossible_travel");
    expect(domestic?.points).toBe(config.travel.domesticPoints);
    expect(domestic?.points).toBeLessThan(config.severity.medium);
    const abroad = trip({ places: [from(berlin)], logins }, london, T0 + 5 * MINUTE, config);
    expect(abroad?.points).toBe(config.travel.points);
  });

  it("takes the first logins' discount inside one country too: a new account's carrier gateway is no trip", () => {
    const { munich, hamburg } = PLACES;
    const at = T0 + 5 * MINUTE;
    const learning = config.novelty.learningLogins;
    const first = trip({ places: [from(munich)], logins: 1 }, hamburg, at, config);
    expect(first?.code).toBe("impossible_travel");
    expect(first?.points).toBe(Math.round(config.travel.domesticPoints * 0.6));
    // With a new region and a new device beside it, a new account's second login stays below medium.
    expect((first?.points ?? 0) + config.novelty.newPlaceAndDevicePoints).toBeLessThan(
      config.severity.medium,
    );
    const learned = trip({ places: [from(munich)], logins: learning }, hamburg, at, config);
    expect(learned?.points).toBe(config.travel.domesticPoints);
  });

  it("counts a trip seen before less on a device the account knows, fully on a new one", () => {
    const at = T0 + 30 * MINUTE;
    const found = impossibleTravel({ places: [from(berlin)] }, newYork, at, config);
    const pairs = { [found?.pair ?? ""]: { n: 0, at: T0, seen: 1 } };
    const known = trip({ places: [from(berlin)], pairs }, newYork, at, config, {
      asn: null,
      ownCarrier: false,
      knownDevice: true,
    });
    expect(known?.points).toBe(config.travel.repeatPoints);
    expect(known?.message).toMatch(/, a trip this device has made before$/);
    const unknown = trip({ places: [from(berlin)], pairs }, newYork, at, config, {
      asn: null,
      ownCarrier: false,
      knownDevice: false,
    });
    expect(unknown?.points).toBe(config.travel.points);
  });
});
