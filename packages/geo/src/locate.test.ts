import { describe, expect, it } from "vitest";
import type { ParsedIp } from "./ip.ts";
import { parseIp } from "./ip.ts";
import { locate } from "./locate.ts";

// Expected answers are from geoip-lite 2.0.3's bundled data (the version is pinned in package.json).

const ip = (text: string): ParsedIp => parseIp(text) ?? expect.fail(`not an IP: ${text}`);

describe("locate", () => {
  it("places a country-level IPv4 range with its radius", () => {
    expect(locate(ip("8.8.8.8"))).toEqual({
      country: "US",
      region: null,
      city: null,
      lat: 37.751,
      lon: -97.822,
      accuracyKm: 1000,
    });
  });

  it("places a city-level IPv4 range", () => {
    expect(locate(ip("51.140.0.1"))).toEqual({
      country: "GB",
      region: "ENG",
      city: "London",
      lat: 51.5164,
      lon: -0.093,
      accuracyKm: 200,
    });
    expect(locate(ip("81.2.69.160"))).toMatchObject({ country: "GB", region: "ENG", city: "Newmarket" });
  });

  it("places IPv6, and IPv4-mapped IPv6 like its IPv4", () => {
    expect(locate(ip("2a00:1450:4009:81f::200e"))).toMatchObject({
      country: "GB",
      city: "London",
      accuracyKm: 100,
    });
    expect(locate(ip("::ffff:8.8.8.8"))).toEqual(locate(ip("8.8.8.8")));
  });

  it("is null for non-public addresses, including ones geoip-lite would answer for", () => {
    for (const text of ["10.0.0.1", "127.0.0.1", "100.64.0.1", "192.0.2.1", "fd00::1", "2001:db8::1"]) {
      expect(locate(ip(text))).toBeNull();
    }
  });

  it("is null where geoip-lite has a country but no coordinates (stored as 0,0)", () => {
    expect(locate(ip("5.57.208.1"))).toBeNull();
  });
});
