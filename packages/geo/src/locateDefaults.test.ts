import { beforeEach, describe, expect, it, vi } from "vitest";
import { parseIp } from "./ip.ts";
import { DEFAULT_CITY_ACCURACY_KM, DEFAULT_COUNTRY_ACCURACY_KM, locate } from "./locate.ts";

// geoip-lite 2.0.3's data has no range with coordinates but without a radius, so the defaults are
// exercised against a stand-in lookup.

const lookup = vi.fn();
vi.mock("./cityFile.ts", () => ({
  cityOfIpv4: (address: number) => lookup(address),
  cityOfIpv6: (address: Uint16Array) => lookup(address),
}));

const hit = { country: "FR", region: "", city: "", lat: 0, lon: 0, area: 0 };
const somewhere = parseIp("81.0.0.1") ?? expect.fail("not an IP");

describe("locate without an accuracy radius", () => {
  beforeEach(() => lookup.mockReset());

  it("uses the city default when the city is known", () => {
    lookup.mockReturnValue({ ...hit, region: "IDF", city: "Paris", lat: 48.86, lon: 2.34 });
    expect(locate(somewhere)).toEqual({
      country: "FR",
      region: "IDF",
      city: "Paris",
      lat: 48.86,
      lon: 2.34,
      accuracyKm: DEFAULT_CITY_ACCURACY_KM,
    });
  });

  it("uses the wider country default when only the country is known", () => {
    lookup.mockReturnValue({ ...hit, lat: 46.2, lon: 2.2 });
    expect(locate(somewhere)).toMatchObject({
      city: null,
      region: null,
      accuracyKm: DEFAULT_COUNTRY_ACCURACY_KM,
    });
    expect(DEFAULT_COUNTRY_ACCURACY_KM).toBeGreaterThan(DEFAULT_CITY_ACCURACY_KM);
  });

  it("is null without coordinates (geoip-lite's 0,0) or a record", () => {
    lookup.mockReturnValue({ ...hit, area: 10 });
    expect(locate(somewhere)).toBeNull();
    lookup.mockReturnValue(null);
    expect(locate(somewhere)).toBeNull();
  });

  it("looks IPv4 up by number, not text", () => {
    lookup.mockReturnValue(null);
    locate(somewhere);
    expect(lookup).toHaveBeenCalledWith((81 * 2 ** 24 + 1) >>> 0);
  });
});
