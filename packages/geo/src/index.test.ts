import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("@vigil/geo entry point", () => {
  it("never holds geoip-lite's ~105 MB of city data in memory: locating reads it from its files", () => {
    const entry = fileURLToPath(new URL("./index.ts", import.meta.url));
    const script = `
      import { createRequire } from "node:module";
      const geo = await import(${JSON.stringify(entry)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("geoip-lite"));
      geo.parseIp("8.8.8.8");
      const rss = process.memoryUsage().rss;
      const place = geo.locate(geo.parseIp("8.8.8.8"));
      const v6 = geo.locate(geo.parseIp("2a00:1450:4001:80b::200e"));
      console.log(JSON.stringify({ loaded: loaded(), grewMiB: (process.memoryUsage().rss - rss) / 2 ** 20, countries: [place?.country, v6?.country] }));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    const { loaded, grewMiB, countries } = JSON.parse(output);
    expect(countries).toEqual(["US", "DE"]);
    expect(loaded, "geoip-lite's module (which reads every file into memory)").toBe(false);
    // geoip-lite itself grew the process by ~110 MiB at its first lookup.
    expect(grewMiB).toBeLessThan(25);
  });
});
