import {
  CITY_AT,
  forEachRecord,
  IPV4_FILE,
  IPV6_FILE,
  NAME_RECORD,
  NAMES_FILE,
  V4_RECORD,
  V6_RECORD,
} from "./geoipFiles.ts";

// geoip-lite's lookup API cannot enumerate the ranges of a place, and probing random addresses
// needs millions of lookups for a city like Lagos (~1 address in 10,000). So this scans its data
// files (geoipFiles.ts). Callers check every sampled address with locate(), so a layout change
// surfaces as an error, not bad data.

/** Inclusive address blocks as parallel arrays: US alone has 1.4 million IPv4 ranges. */
export interface Ranges<T> {
  first: T[];
  last: T[];
}

/** Location ids (indexes into geoip-city-names.dat) in `country`, and named `city` when given. */
function locationIds(country: string, city: string | undefined): Uint8Array {
  const countryBytes = Buffer.from(country, "utf8");
  const cityBytes = city === undefined ? null : Buffer.from(city, "utf8");
  const matches: number[] = [];
  let count = 0;
  forEachRecord(NAMES_FILE, NAME_RECORD, (buffer, offset, id) => {
    count = id + 1;
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
  const ids = new Uint8Array(count);
  for (const id of matches) ids[id] = 1;
  return ids;
}

/** The IPv4 ranges geoip-lite assigns to the place. */
export function ipv4RangesOf(country: string, city: string | undefined): Ranges<number> {
  const wanted = locationIds(country, city);
  const ranges: Ranges<number> = { first: [], last: [] };
  forEachRecord(IPV4_FILE, V4_RECORD, (buffer, offset) => {
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
  forEachRecord(IPV6_FILE, V6_RECORD, (buffer, offset) => {
    if (wanted[buffer.readUInt32BE(offset + 32)] !== 1) return;
    const first = (buffer.readBigUInt64BE(offset) << 64n) | buffer.readBigUInt64BE(offset + 8);
    const last = (buffer.readBigUInt64BE(offset + 16) << 64n) | buffer.readBigUInt64BE(offset + 24);
    if (first > last) return; // a malformed record; geoip-lite's own search skips past it too
    ranges.first.push(first);
    ranges.last.push(last);
  });
  return ranges;
}
