import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

// geoip-lite's data files, read by this package directly (cityFile.ts for lookups, geoipRanges.ts
// for sampling): geoip-lite itself would hold ~105 MB of them in memory. Their layout is the one
// geoip-lite 2.0.3 writes (scripts/updatedb.js) and reads (lib/geoip.js):
//   geoip-city-names.dat  88-byte locations: country @0 (2), region @2 (3), metro @5, eu @9, tz @10, city @42 (46)
//   geoip-city.dat        24-byte IPv4 ranges: first @0, last @4, location id @8 (uint32 BE), lat, lon, area
//   geoip-city6.dat       48-byte IPv6 ranges: first @0 (16), last @16 (16), location id @32, lat, lon, area
// A layout change surfaces as an error or a failing comparison with geoip-lite (cityFile.test.ts).

export const NAMES_FILE = "geoip-city-names.dat";
export const IPV4_FILE = "geoip-city.dat";
export const IPV6_FILE = "geoip-city6.dat";
export const NAME_RECORD = 88;
export const CITY_AT = 42;
export const V4_RECORD = 24;
export const V6_RECORD = 48;
/** A range's location id when it has none. */
export const NO_LOCATION = 0xffffffff;

const CHUNK_RECORDS = 1 << 15;
const require = createRequire(import.meta.url);

/** The path of one of geoip-lite's data files, in the directory geoip-lite itself would read. */
export function geoipFile(file: string): string {
  const configured = (globalThis as { geodatadir?: string }).geodatadir || process.env.GEODATADIR;
  return join(resolve(dirname(require.resolve("geoip-lite")), configured || "../data/"), file);
}

/** Calls `visit` for each record of the file, in order, with its index; reads it a chunk at a time. */
export function forEachRecord(
  file: string,
  recordSize: number,
  visit: (buffer: Buffer, offset: number, index: number) => void,
): void {
  const fd = openSync(geoipFile(file), "r");
  try {
    const buffer = Buffer.allocUnsafe(recordSize * CHUNK_RECORDS);
    let index = 0;
    for (let position = 0; ; ) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      const whole = read - (read % recordSize); // a short read may end mid-record: re-read it next time
      if (whole === 0) {
        if (read === 0) return;
        throw new Error(`${file}: size is not a multiple of ${recordSize} bytes`);
      }
      position += whole;
      for (let offset = 0; offset < whole; offset += recordSize) visit(buffer, offset, index++);
    }
  } finally {
    closeSync(fd);
  }
}
