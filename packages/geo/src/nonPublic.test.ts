import { describe, expect, it } from "vitest";
import type { ParsedIp } from "./ip.ts";
import { parseIp } from "./ip.ts";
import { isNonPublic } from "./nonPublic.ts";

const ip = (text: string): ParsedIp => parseIp(text) ?? expect.fail(`not an IP: ${text}`);

describe("isNonPublic", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "this network"],
    ["10.1.2.3", "private 10/8"],
    ["172.16.0.1", "private 172.16/12, start"],
    ["172.31.255.255", "private 172.16/12, end"],
    ["192.168.1.1", "private 192.168/16"],
    ["127.0.0.1", "loopback"],
    ["169.254.10.20", "link-local"],
    ["100.64.0.1", "CGNAT start"],
    ["100.127.255.255", "CGNAT end"],
    ["192.0.0.8", "IETF protocol assignments"],
    ["192.0.2.1", "TEST-NET-1"],
    ["198.51.100.7", "TEST-NET-2"],
    ["203.0.113.9", "TEST-NET-3"],
    ["192.88.99.1", "6to4 relay anycast"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking end"],
    ["224.0.0.251", "multicast"],
    ["239.255.255.250", "multicast end"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["::", "IPv6 unspecified"],
    ["::1", "IPv6 loopback"],
    ["fe80::1", "IPv6 link-local"],
    ["fc00::1", "unique-local fc00::/8"],
    ["fd12:3456:789a::1", "unique-local fd00::/8"],
    ["ff02::1", "IPv6 multicast"],
    ["2001:db8::1", "IPv6 documentation"],
    ["3fff:abc::1", "IPv6 documentation (RFC 9637)"],
    ["2001::1", "Teredo"],
    ["2001:2::1", "IPv6 benchmarking"],
    ["2002:c000:204::1", "6to4"],
    ["4000::1", "IPv6 outside 2000::/3"],
    ["100::1", "discard-only"],
  ])("%s is non-public (%s)", (text) => {
    expect(isNonPublic(ip(text))).toBe(true);
  });

  it.each([
    ["8.8.8.8", "Google DNS"],
    ["1.1.1.1", "Cloudflare DNS"],
    ["100.63.255.255", "just below CGNAT"],
    ["100.128.0.0", "just above CGNAT"],
    ["172.15.255.255", "just below 172.16/12"],
    ["172.32.0.0", "just above 172.16/12"],
    ["192.0.3.1", "next to TEST-NET-1"],
    ["223.255.255.255", "just below multicast"],
    ["2a00:1450:4009:81f::200e", "Google London"],
    ["2001:4860:4860::8888", "Google DNS IPv6"],
    ["2001:200::1", "just above 2001::/23"],
    ["2600::1", "US allocation"],
  ])("%s is public (%s)", (text) => {
    expect(isNonPublic(ip(text))).toBe(false);
  });

  it("rejects a ParsedIp that did not come from parseIp", () => {
    expect(() => isNonPublic({ text: "1.2.3", version: 4 })).toThrow(TypeError);
    expect(() => isNonPublic({ text: "1.2.3.4", version: 6 })).toThrow(TypeError);
  });
});
