import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("@vigil/geo entry point", () => {
  it("does not load the geoip-lite database until something is located", () => {
    const entry = fileURLToPath(new URL("./index.ts", import.meta.url));
    const script = `
      import { createRequire } from "node:module";
      const geo = await import(${JSON.stringify(entry)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("geoip-lite"));
      geo.parseIp("8.8.8.8");
      const before = loaded();
      geo.locate(geo.parseIp("8.8.8.8"));
      console.log(JSON.stringify([before, loaded()]));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual([false, true]);
  });
});
