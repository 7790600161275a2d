import { describe, expect, it } from "vitest";
import { asnOf } from "./asn.ts";
import { ipFacts } from "./facts.ts";
import { parseIp } from "./ip.ts";
import { locate } from "./locate.ts";
import { isNonPublic } from "./nonPublic.ts";
import { networkPrefix } from "./prefix.ts";

describe("ipFacts", () => {
  it("is null for text that is not an IP", () => {
    expect(ipFacts("1.2.3")).toBeNull();
    expect(ipFacts("fe80::1%eth0")).toBeNull();
  });

  it.each([
    "51.140.0.1",
    "::ffff:51.140.0.1",
    "2A00:1450:4009:081F::200E",
    "10.9.8.7",
    "fe80::1",
    "5.57.208.1",
  ])("agrees with the single-purpose functions for %s", (text) => {
    const ip = parseIp(text) ?? expect.fail("not an IP");
    expect(ipFacts(text)).toEqual({
      ip,
      network: networkPrefix(ip),
      place: locate(ip),
      nonPublic: isNonPublic(ip),
      asn: asnOf(text),
    });
  });

  it("describes a public IPv4 address", () => {
    expect(ipFacts("::ffff:51.140.0.1")).toEqual({
      ip: { text: "51.140.0.1", version: 4 },
      network: "51.140.0.0/24",
      place: { country: "GB", region: "ENG", city: "London", lat: 51.5164, lon: -0.093, accuracyKm: 200 },
      nonPublic: false,
      asn: { number: 8075, org: "Microsoft Corporation" },
    });
  });

  it("describes a private address without a place", () => {
    expect(ipFacts("192.168.1.20")).toEqual({
      ip: { text: "192.168.1.20", version: 4 },
      network: "192.168.1.0/24",
      place: null,
      nonPublic: true,
      asn: null,
    });
  });
});
