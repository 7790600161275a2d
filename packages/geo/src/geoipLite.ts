import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";

// geoip-lite reads ~110 MB of data files synchronously when first required (~80 ms). Requiring it
// lazily keeps `import "@vigil/geo"` cheap for code that only parses addresses; an ESM import
// would load it eagerly, and a dynamic import() cannot be used from the synchronous locate().

type GeoIpLite = typeof import("geoip-lite");

const require = createRequire(import.meta.url);
let loaded: GeoIpLite | undefined;

export function geoipLite(): GeoIpLite {
  loaded ??= require("geoip-lite") as GeoIpLite;
  return loaded;
}

/** The directory geoip-lite loads its data from, resolved the way geoip-lite itself does. */
export function geoipDataDir(): string {
  const configured = (globalThis as { geodatadir?: string }).geodatadir || process.env.GEODATADIR;
  return resolve(dirname(require.resolve("geoip-lite")), configured || "../data/");
}
