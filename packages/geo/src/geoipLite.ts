import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";

// geoip-lite's data files are read by this package directly (cityFile.ts for lookups,
// geoipRanges.ts for sampling): geoip-lite itself would hold ~105 MB of them in memory.

const require = createRequire(import.meta.url);

/** The directory geoip-lite loads its data from, resolved the way geoip-lite itself does. */
export function geoipDataDir(): string {
  const configured = (globalThis as { geodatadir?: string }).geodatadir || process.env.GEODATADIR;
  return resolve(dirname(require.resolve("geoip-lite")), configured || "../data/");
}
