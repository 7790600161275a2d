import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { asnOf } from "./asn.ts";
import { ipFacts } from "./facts.ts";

// Expected answers read from the dataset's own CSV rows (asn-ipv4.csv / asn-ipv6.csv) for
// addresses of well-known networks.
describe("asnOf", () => {
  it.each([
    ["8.8.8.8", 15169, "Google LLC"],
    ["1.1.1.1", 13335, "Cloudflare, Inc."], // a quoted organisation name in the CSV
    ["51.140.0.1", 8075, "Microsoft Corporation"],
    ["3.5.140.2", 16509, "Amazon.com, Inc."],
    ["17.0.0.1", 714, "Apple Inc."],
    ["80.0.0.1", 5089, "Virgin Media Limited"],
    ["81.2.69.142", 20712, "Andrews & Arnold Ltd"],
    ["212.58.244.20", 2818, "BBC"],
    ["::ffff:9.9.9.9", 19281, "Quad9"],
    ["2001:4860:4860::8888", 15169, "Google LLC"],
    ["2a00:1450:4009:81f::200e", 15169, "Google LLC"],
    ["2606:4700:4700::1111", 13335, "Cloudflare, Inc."],
    ["2A03:2880:F10C:83:FACE:B00C:0:25DE", 32934, "Facebook, Inc."],
  ])("%s is AS%i (%s)", (ip, number, org) => {
    expect(asnOf(ip)).toEqual({ number, org });
  });

  it("gives one shared value per AS, whatever the address or its spelling", () => {
    expect(asnOf("8.8.8.8")).toBe(asnOf("2001:4860:4860::8888"));
    expect(asnOf("::ffff:8.8.8.8")).toBe(asnOf("8.8.8.8"));
  });

  it("is null for addresses no AS announces, non-public addresses and text that is not an IP", () => {
    expect(asnOf("223.255.255.255")).toBeNull(); // between the dataset's last IPv4 ranges
    expect(asnOf("10.1.2.3")).toBeNull();
    expect(asnOf("192.168.0.1")).toBeNull();
    expect(asnOf("fe80::1")).toBeNull();
    expect(asnOf("2001:db8::1")).toBeNull();
    expect(asnOf("8.8.8")).toBeNull();
    expect(asnOf("")).toBeNull();
  });

  it("keeps the earlier range where the dataset's sources overlap", () => {
    // asn-ipv4-num.csv: 3596550144-3607166975 AS749, then 3607101440-3607167999 AS721.
    expect(asnOf("215.0.0.1")?.number).toBe(749); // 3607101441, claimed by both
    expect(asnOf("215.1.0.1")?.number).toBe(721); // 3607166977, only in the second
  });

  it("fills ipFacts().asn", () => {
    expect(ipFacts("8.8.8.8")?.asn).toEqual({ number: 15169, org: "Google LLC" });
    expect(ipFacts("192.168.1.20")?.asn).toBeNull();
  });

  it("does not read the dataset until an address is looked up", () => {
    const entry = fileURLToPath(new URL("./index.ts", import.meta.url));
    const script = `
      import { createRequire, syncBuiltinESMExports } from "node:module";
      const fs = createRequire(import.meta.url)("node:fs");
      const read = fs.readFileSync;
      const files = [];
      fs.readFileSync = (file, ...rest) => (files.push(String(file)), read(file, ...rest));
      syncBuiltinESMExports();
      const geo = await import(${JSON.stringify(entry)});
      const datasets = () => files.filter((f) => f.includes("ip-location-db")).length;
      geo.parseIp("8.8.8.8");
      const before = datasets();
      geo.asnOf("8.8.8.8");
      const first = datasets();
      geo.asnOf("1.1.1.1");
      console.log(JSON.stringify([before, first, datasets()]));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual([0, 2, 2]);
  });
});
