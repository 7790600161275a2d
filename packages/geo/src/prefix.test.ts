import { describe, expect, it } from "vitest";
import { parseIp } from "./ip.ts";
import { networkPrefix } from "./prefix.ts";

const prefixOf = (text: string) => networkPrefix(parseIp(text) ?? expect.fail(`not an IP: ${text}`));

describe("networkPrefix", () => {
  it("is the /24 for IPv4", () => {
    expect(prefixOf("203.0.113.77")).toBe("203.0.113.0/24");
    expect(prefixOf("8.8.8.8")).toBe("8.8.8.0/24");
    expect(prefixOf("255.255.255.255")).toBe("255.255.255.0/24");
    expect(prefixOf("::ffff:81.2.69.160")).toBe("81.2.69.0/24");
  });

  it("is the /48 for IPv6, in RFC 5952 text", () => {
    expect(prefixOf("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1::/48");
    expect(prefixOf("2a00:1450:4009:81f::200e")).toBe("2a00:1450:4009::/48");
    expect(prefixOf("2001:0:0:ffff::1")).toBe("2001::/48");
    expect(prefixOf("::1")).toBe("::/48");
  });

  it("puts neighbours in the same network and strangers in different ones", () => {
    expect(prefixOf("198.51.100.1")).toBe(prefixOf("198.51.100.254"));
    expect(prefixOf("198.51.100.1")).not.toBe(prefixOf("198.51.101.1"));
    expect(prefixOf("2001:db8:1:a::1")).toBe(prefixOf("2001:db8:1:b::2"));
  });
});
