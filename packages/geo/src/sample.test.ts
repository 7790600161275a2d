import { describe, expect, it } from "vitest";
import { ipFacts } from "./facts.ts";
import { sampleIps, sampleIpv6 } from "./sample.ts";

// City names as geoip-lite 2.0.3 spells them.
const CITIES = [
  { country: "GB", city: "London" },
  { country: "FR", city: "Paris" },
  { country: "NG", city: "Lagos" },
  { country: "BR", city: "São Paulo" },
  { country: "US", city: "New York" },
];

function expectAllIn(ips: string[], country: string, city: string | undefined, version: 4 | 6): void {
  for (const text of ips) {
    const facts = ipFacts(text);
    expect(facts?.ip).toEqual({ text, version }); // canonical text
    expect(facts?.nonPublic).toBe(false);
    expect(facts?.place?.country).toBe(country);
    if (city !== undefined) expect(facts?.place?.city).toBe(city);
  }
}

describe("sampleIps", () => {
  it.each(CITIES)("gives 100 distinct addresses in $city, $country", ({ country, city }) => {
    const ips = sampleIps({ country, city, count: 100, seed: 7 });
    expect(new Set(ips).size).toBe(100);
    expectAllIn(ips, country, city, 4);
  });

  it("is deterministic for a seed and differs between seeds and between places", () => {
    const first = sampleIps({ country: "FR", city: "Paris", count: 20, seed: 1 });
    expect(sampleIps({ country: "FR", city: "Paris", count: 20, seed: 1 })).toEqual(first);
    expect(sampleIps({ country: "FR", city: "Paris", count: 5, seed: 1 })).toEqual(first.slice(0, 5));
    expect(sampleIps({ country: "FR", city: "Paris", count: 20, seed: 2 })).not.toEqual(first);
    const lastOctets = (ips: string[]) => ips.map((text) => text.split(".")[3]);
    const london = sampleIps({ country: "GB", city: "London", count: 20, seed: 1 });
    expect(lastOctets(london)).not.toEqual(lastOctets(first)); // no shared host bits across places
  });

  it("samples a whole country when no city is given", () => {
    expectAllIn(sampleIps({ country: "NG", count: 50, seed: 3 }), "NG", undefined, 4);
  });

  it("throws for a place geoip-lite does not know, naming it", () => {
    expect(() => sampleIps({ country: "BR", city: "Atlantis", count: 1, seed: 1 })).toThrow(/Atlantis/);
    expect(() => sampleIps({ country: "UK", count: 1, seed: 1 })).toThrow(/UK/);
  });

  it("gives nothing for count 0 and rejects bad counts", () => {
    expect(sampleIps({ country: "GB", count: 0, seed: 1 })).toEqual([]);
    expect(() => sampleIps({ country: "GB", count: -1, seed: 1 })).toThrow(RangeError);
    expect(() => sampleIps({ country: "GB", count: 1.5, seed: 1 })).toThrow(RangeError);
  });
});

describe("sampleIpv6", () => {
  it.each(CITIES)("gives 50 distinct IPv6 addresses in $city, $country", ({ country, city }) => {
    const ips = sampleIpv6({ country, city, count: 50, seed: 7 });
    expect(new Set(ips).size).toBe(50);
    expectAllIn(ips, country, city, 6);
  });

  it("is deterministic for a seed", () => {
    const ips = sampleIpv6({ country: "GB", city: "London", count: 10, seed: 9 });
    expect(sampleIpv6({ country: "GB", city: "London", count: 10, seed: 9 })).toEqual(ips);
    expect(sampleIpv6({ country: "GB", city: "London", count: 10, seed: 10 })).not.toEqual(ips);
  });
});
