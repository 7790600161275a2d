import { describe, expect, it } from "vitest";
import { isIp, parseIp } from "./ip.ts";

describe("parseIp", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["10.0.0.1", "10.0.0.1"],
  ])("accepts IPv4 %s", (text, canonical) => {
    expect(parseIp(text)).toEqual({ text: canonical, version: 4 });
  });

  it.each([
    ["01.2.3.4", "leading zero"],
    ["1.2.3.04", "leading zero in last octet"],
    ["00.1.2.3", "double zero"],
    ["1.2.3", "three octets"],
    ["1.2.3.4.5", "five octets"],
    ["256.1.1.1", "octet above 255"],
    ["1.2.3.1000", "four digits"],
    ["1.2..3", "empty octet"],
    ["1.2.3.4.", "trailing dot"],
    [".1.2.3.4", "leading dot"],
    [" 1.2.3.4", "leading space"],
    ["1.2.3.4\n", "trailing newline"],
    ["0x1.2.3.4", "hex octet"],
    ["1.2.3.-4", "sign"],
    ["", "empty"],
    ["localhost", "a name"],
  ])("rejects %j (%s)", (text) => {
    expect(parseIp(text)).toBeNull();
    expect(isIp(text)).toBe(false);
  });

  it("normalises equivalent IPv6 spellings to one RFC 5952 text", () => {
    const spellings = [
      "2001:db8:0:0:0:0:2:1",
      "2001:0db8:0000:0000:0000:0000:0002:0001",
      "2001:db8::2:1",
      "2001:db8:0::0:2:1",
      "2001:DB8::2:1",
    ];
    for (const text of spellings) expect(parseIp(text)).toEqual({ text: "2001:db8::2:1", version: 6 });
  });

  it.each([
    ["2001:DB8:ABCD::EF", "2001:db8:abcd::ef"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["fe80::1", "fe80::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of two equal runs
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // the longest run
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"], // "::" for one group is valid input, not output
    ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"], // dotted tail outside the mapped range becomes hex
  ])("formats IPv6 %s as %s", (text, canonical) => {
    expect(parseIp(text)).toEqual({ text: canonical, version: 6 });
  });

  it.each(["::ffff:1.2.3.4", "::FFFF:1.2.3.4", "0:0:0:0:0:ffff:1.2.3.4", "::ffff:102:304"])(
    "turns IPv4-mapped %s into the IPv4",
    (text) => {
      expect(parseIp(text)).toEqual({ text: "1.2.3.4", version: 4 });
    },
  );

  it.each([
    ["fe80::1%eth0", "zone id"],
    ["fe80::1%1", "numeric zone id"],
    ["[2001:db8::1]", "brackets"],
    ["2001:db8::1::2", "two gaps"],
    [":::", "triple colon"],
    [":1::", "lone leading colon"],
    ["1::2:", "lone trailing colon"],
    ["1:2:3:4:5:6:7:8:9", "nine groups"],
    ["1:2:3:4:5:6:7", "seven groups, no gap"],
    ["1:2:3:4:5:6:7:8::", "gap with eight groups"],
    ["1:2:3:4:5:6::1.2.3.4", "gap with eight groups' worth incl. IPv4 tail"],
    ["12345::1", "five hex digits"],
    ["2001:db8::g", "not hex"],
    ["::ffff:01.2.3.4", "leading zero in the IPv4 tail"],
    ["::1.2.3.4:5", "IPv4 tail not at the end"],
    [" ::1", "leading space"],
    [":", "single colon"],
  ])("rejects %j (%s)", (text) => {
    expect(parseIp(text)).toBeNull();
    expect(isIp(text)).toBe(false);
  });

  it("returns null for non-strings from untyped callers", () => {
    expect(parseIp(undefined as unknown as string)).toBeNull();
    expect(isIp(42 as unknown as string)).toBe(false);
  });
});
