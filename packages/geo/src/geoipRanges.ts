import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { geoipDataDir } from "./geoipLite.ts";

// geoip-lite's lookup API cannot enumerate the ranges of a place, and probing random addresses
// needs millions of lookups for a city like Lagos (~1 address in 10,000). So this reads its data
// files directly, in the layout geoip-lite 2.0.3 writes (scripts/updatedb.js) and reads (lib/geoip.js):
//   geoip-city-names.dat  88-byte locations: country @0 (2), region @2 (3), metro @5, eu @9, tz @10, city @42 (46)
//   geoip-city.dat        24-byte IPv4 ranges: first @0, last @4, location id @8 (uint32 BE), lat, lon, area
//   geoip-city6.dat       48-byte IPv6 ranges: first @0 (16), last @16 (16), location id @32, lat, lon, area
// Callers check every sampled address with locate(), so a layout change surfaces as an error, not bad data.

const NAME_RECORD = 88;
const CITY_AT = 42;
const V4_RECORD = 24;
const V6_RECORD = 48;
const CHUNK_RECORDS = 1 << 15;

/** Inclusive address blocks as parallel arrays: US alone has 1.4 million IPv4 ranges. */
export interface Ranges<T> {
  first: T[];
  last: T[];
}

function forEachRecord(
  file: string,
  recordSize: number,
  visit: (buffer: Buffer, offset: number) => void,
): void {
  const fd = openSync(join(geoipDataDir(), file), "r");
  try {
    const buffer = Buffer.allocUnsafe(recordSize * CHUNK_RECORDS);
    for (let position = 0; ; ) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      const whole = read - (read % recordSize); // a short read may end mid-record: re-read it next time
      if (whole === 0) {
        if (read === 0) return;
        throw new Error(`${file}: size is not a multiple of ${recordSize} bytes`);
      }
      position += whole;
      for (let offset = 0; offset < whole; offset += recordSize) visit(buffer, offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** Location ids (indexes into geoip-city-names.dat) in `country`, and named `city` when given. */
function locationIds(country: string, city: string | undefined): Uint8Array {
  const countryBytes = Buffer.from(country, "utf8");
  const cityBytes = city === undefined ? null : Buffer.from(city, "utf8");
  const matches: number[] = [];
  let index = 0;
  forEachRecord("geoip-city-names.dat", NAME_RECORD, (buffer, offset) => {
    const id = index++;
    if (countryBytes.length !== 2 || buffer.compare(countryBytes, 0, 2, offset, offset + 2) !== 0) return;
    if (cityBytes !== null) {
      const cityAt = offset + CITY_AT;
      const end = cityAt + cityBytes.length;
      if (end > offset + NAME_RECORD || buffer.compare(cityBytes, 0, cityBytes.length, cityAt, end) !== 0)
        return;
      if (end < offset + NAME_RECORD && buffer[end] !== 0) return; // only a prefix of a longer name
    }
    matches.push(id);
  });
  const ids = new Uint8Array(index);
  for (const id of matches) ids[id] = 1;
  return ids;
}

/** The IPv4 ranges geoip-lite assigns to the place. */
export function ipv4RangesOf(country: string, city: string | undefined): Ranges<number> {
  const wanted = locationIds(country, city);
  const ranges: Ranges<number> = { first: [], last: [] };
  forEachRecord("geoip-city.dat", V4_RECORD, (buffer, offset) => {
    if (wanted[buffer.readUInt32BE(offset + 8)] !== 1) return;
    ranges.first.push(buffer.readUInt32BE(offset));
    ranges.last.push(buffer.readUInt32BE(offset + 4));
  });
  return ranges;
}

/** The IPv6 ranges geoip-lite assigns to the place. */
export function ipv6RangesOf(country: string, city: string | undefined): Ranges<bigint> {
  const wanted = locationIds(country, city);
  const ranges: Ranges<bigint> = { first: [], last: [] };
  forEachRecord("geoip-city6.dat", V6_RECORD, (buffer, offset) => {
    if (wanted[buffer.readUInt32BE(offset + 32)] !== 1) return;
    const first = (buffer.readBigUInt64BE(offset) << 64n) | buffer.readBigUInt64BE(offset + 8);
    const last = (buffer.readBigUInt64BE(offset + 16) << 64n) | buffer.readBigUInt64BE(offset + 24);
    if (first > last) return; // a malformed record; geoip-lite's own search skips past it too
    ranges.first.push(first);
    ranges.last.push(last);
  });
  return ranges;
}
