import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { type CityRecord, cityOfIpv4, cityOfIpv6 } from "./cityFile.ts";
import { geoipFile, IPV4_FILE, IPV6_FILE } from "./geoipFiles.ts";

// geoip-lite itself is the oracle: the same data files, held in memory and searched its way.
const geoip = createRequire(import.meta.url)("geoip-lite") as typeof import("geoip-lite");

function oracle(hit: ReturnType<typeof geoip.lookup>): CityRecord | null {
  if (hit === null || hit.country === "") return null;
  const [lat, lon] = hit.ll;
  return { country: hit.country, region: hit.region, city: hit.city, lat, lon, area: hit.area };
}

const groups = (high: number, low: number) =>
  Uint16Array.from([high >>> 16, high & 0xffff, low >>> 16, low & 0xffff, 0, 0, 0, 0]);
const text = (g: Uint16Array) => Array.from(g, (group) => group.toString(16)).join(":");

describe("city data searched on disk", () => {
  it("answers as geoip-lite at every sampled IPv4 range's edges and just outside them", () => {
    const file = readFileSync(geoipFile(IPV4_FILE));
    let compared = 0;
    for (let offset = 0; offset < file.length; offset += 24 * 101) {
      const first = file.readUInt32BE(offset);
      const last = file.readUInt32BE(offset + 4);
      for (const address of [first, last, first - 1, last + 1, first + ((last - first) >>> 1)]) {
        if (address < 1 || address > 0xffffffff) continue;
        const expected = oracle(geoip.lookup(address));
        if (JSON.stringify(cityOfIpv4(address)) !== JSON.stringify(expected))
          expect(cityOfIpv4(address), `${address}`).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it("answers as geoip-lite for IPv6, whose ranges tie on their high 64 bits", () => {
    const file = readFileSync(geoipFile(IPV6_FILE));
    let compared = 0;
    let found = 0;
    for (let offset = 0; offset < file.length; offset += 48 * 13) {
      const firstHigh = file.readUInt32BE(offset);
      const firstLow = file.readUInt32BE(offset + 4);
      const lastHigh = file.readUInt32BE(offset + 16);
      const lastLow = file.readUInt32BE(offset + 20);
      const candidates = [groups(firstHigh, firstLow), groups(lastHigh, lastLow)];
      if (firstLow > 0) candidates.push(groups(firstHigh, firstLow - 1));
      if (lastLow < 0xffffffff) candidates.push(groups(lastHigh, lastLow + 1));
      for (const address of candidates) {
        const expected = oracle(geoip.lookup(text(address)));
        if (JSON.stringify(cityOfIpv6(address)) !== JSON.stringify(expected))
          expect(cityOfIpv6(address), text(address)).toEqual(expected);
        compared++;
        if (expected !== null) found++;
      }
    }
    expect(compared).toBeGreaterThan(100_000);
    expect(found).toBeGreaterThan(compared / 3);
  });
});
