import { fstatSync, openSync, readSync } from "node:fs";
import {
  CITY_AT,
  forEachRecord,
  geoipFile,
  IPV4_FILE,
  IPV6_FILE,
  NAME_RECORD,
  NAMES_FILE,
  NO_LOCATION,
  V4_RECORD,
  V6_RECORD,
} from "./geoipFiles.ts";

// geoip-lite's city database, searched in its files instead of in memory. geoip-lite reads all of
// it into buffers (~105 MB of a replica's resident memory, a sixth of its budget); here only every
// BLOCK-th range's first address stays in memory (~200 KB), and a lookup reads the one block of
// ranges that can hold the address (one read of ~1.5 KB from the page cache, which the kernel may
// reclaim) and the place's 88-byte name record. Lookups are cached per address by the service.
// The files' layout is in geoipFiles.ts; the answers are geoip-lite's own, as cityFile.test.ts
// checks address by address.

/** IPv4 ranges read at once, and indexed by the first address of each such block. */
const BLOCK = 64;

/** What geoip-lite's city data says of an address: its place's names, coordinates and radius (never without a country). */
export interface CityRecord {
  country: string;
  region: string;
  city: string;
  lat: number;
  lon: number;
  /** Accuracy radius in km; 0 when unknown. */
  area: number;
}

/**
 * geoip-lite's IPv4 file: ranges sorted by first address, none overlapping, so the one holding an
 * address is the last that starts at or before it. Only each block's first address stays in memory.
 */
class Ipv4File {
  readonly #fd: number;
  readonly #records: number;
  /** First address of each block of BLOCK ranges. */
  readonly #index: Uint32Array;
  readonly #block = Buffer.allocUnsafeSlow(BLOCK * V4_RECORD);
  /** The block the buffer holds, -1 for none. */
  #loaded = -1;

  constructor() {
    this.#fd = openSync(geoipFile(IPV4_FILE), "r");
    this.#records = Math.floor(fstatSync(this.#fd).size / V4_RECORD);
    const index = new Uint32Array(Math.ceil(this.#records / BLOCK));
    forEachRecord(IPV4_FILE, V4_RECORD, (buffer, offset, range) => {
      if (range % BLOCK === 0) index[range / BLOCK] = buffer.readUInt32BE(offset);
    });
    this.#index = index;
  }

  /** The offset in the block buffer of the range holding the address; -1 for none. */
  find(address: number): number {
    const index = this.#index;
    if (index.length === 0 || (index[0] as number) > address) return -1;
    let lo = 0;
    let hi = index.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((index[mid] as number) <= address) lo = mid;
      else hi = mid - 1;
    }
    const count = this.#read(lo);
    const buffer = this.#block;
    let first = 0;
    let last = count - 1;
    while (first < last) {
      const mid = (first + last + 1) >>> 1;
      if (buffer.readUInt32BE(mid * V4_RECORD) <= address) first = mid;
      else last = mid - 1;
    }
    const offset = first * V4_RECORD;
    return buffer.readUInt32BE(offset + 4) >= address ? offset : -1;
  }

  get block(): Buffer {
    return this.#block;
  }

  /** Reads a block into the buffer (unless it is there already); answers how many ranges it holds. */
  #read(block: number): number {
    const count = Math.min(BLOCK, this.#records - block * BLOCK);
    if (this.#loaded !== block) {
      readSync(this.#fd, this.#block, 0, count * V4_RECORD, block * BLOCK * V4_RECORD);
      this.#loaded = block;
    }
    return count;
  }
}

/**
 * geoip-lite's IPv6 file, searched exactly as geoip-lite searches it: its ranges are compared by
 * their high 64 bits only, so several records of one /64 tie, and which one answers depends on the
 * bisection's path. The keys stay in memory (16 bytes a range, ~6 MB), the rest is read per hit.
 */
class Ipv6File {
  readonly #fd: number;
  readonly #firstHigh: Uint32Array;
  readonly #firstLow: Uint32Array;
  readonly #lastHigh: Uint32Array;
  readonly #lastLow: Uint32Array;
  readonly #payload = Buffer.allocUnsafeSlow(16);

  constructor() {
    this.#fd = openSync(geoipFile(IPV6_FILE), "r");
    const records = Math.floor(fstatSync(this.#fd).size / V6_RECORD);
    this.#firstHigh = new Uint32Array(records);
    this.#firstLow = new Uint32Array(records);
    this.#lastHigh = new Uint32Array(records);
    this.#lastLow = new Uint32Array(records);
    forEachRecord(IPV6_FILE, V6_RECORD, (buffer, offset, line) => {
      this.#firstHigh[line] = buffer.readUInt32BE(offset);
      this.#firstLow[line] = buffer.readUInt32BE(offset + 4);
      this.#lastHigh[line] = buffer.readUInt32BE(offset + 16);
      this.#lastLow[line] = buffer.readUInt32BE(offset + 20);
    });
  }

  /** The payload (location id, lat, lon, area) of the record geoip-lite's lookup6 finds, or null. */
  find(high: number, low: number): Buffer | null {
    const last = this.#firstHigh.length - 1;
    if (last < 0) return null;
    if (this.#compare(high, low, this.#lastHigh, this.#lastLow, last) > 0) return null;
    if (this.#compare(high, low, this.#firstHigh, this.#firstLow, 0) < 0) return null;
    let floor = 0;
    let ceil = last;
    for (;;) {
      const line = (floor + ceil) >>> 1;
      const afterFirst = this.#compare(high, low, this.#firstHigh, this.#firstLow, line) >= 0;
      const beforeLast = this.#compare(high, low, this.#lastHigh, this.#lastLow, line) <= 0;
      if (afterFirst && beforeLast) {
        readSync(this.#fd, this.#payload, 0, 16, line * V6_RECORD + 32);
        return this.#payload;
      }
      if (floor === ceil) return null;
      if (floor === ceil - 1) {
        if (line === floor) floor = ceil;
        else ceil = floor;
      } else if (!afterFirst) ceil = line;
      else floor = line;
    }
  }

  /** The key against the record's (high, low) words at `line`. */
  #compare(high: number, low: number, highs: Uint32Array, lows: Uint32Array, line: number): number {
    const h = highs[line] as number;
    if (high !== h) return high < h ? -1 : 1;
    const l = lows[line] as number;
    return low === l ? 0 : low < l ? -1 : 1;
  }
}

/** Names of places by location id, read from geoip-city-names.dat when first asked for. */
class PlaceNames {
  readonly #fd: number;
  readonly #record = Buffer.allocUnsafeSlow(NAME_RECORD);
  #known = new Map<number, { country: string; region: string; city: string }>();

  constructor() {
    this.#fd = openSync(geoipFile(NAMES_FILE), "r");
  }

  of(id: number): { country: string; region: string; city: string } {
    let names = this.#known.get(id);
    if (names === undefined) {
      const record = this.#record;
      readSync(this.#fd, record, 0, NAME_RECORD, id * NAME_RECORD);
      names = {
        country: text(record, 0, 2),
        region: text(record, 2, 5),
        city: text(record, CITY_AT, NAME_RECORD),
      };
      // Bounded: there are ~125,000 places, most never seen by one replica.
      if (this.#known.size >= 20_000) this.#known = new Map();
      this.#known.set(id, names);
    }
    return names;
  }
}

/** A NUL-padded UTF-8 field, as geoip-lite reads it. */
function text(buffer: Buffer, start: number, end: number): string {
  const nul = buffer.indexOf(0, start);
  return buffer.toString("utf8", start, nul >= start && nul < end ? nul : end);
}

interface CityFiles {
  v4: Ipv4File;
  v6: Ipv6File;
  names: PlaceNames;
}

let files: CityFiles | undefined;

function open(): CityFiles {
  if (files === undefined) {
    const v4 = new Ipv4File();
    const v6 = new Ipv6File();
    files = { v4, v6, names: new PlaceNames() };
  }
  return files;
}

function record(buffer: Buffer, offset: number, at: number, names: PlaceNames): CityRecord | null {
  const id = buffer.readUInt32BE(offset + at);
  if (id === NO_LOCATION) return null;
  const place = names.of(id);
  // A place without a country says nothing usable (geoip-lite answers country "").
  if (place.country === "") return null;
  return {
    ...place,
    lat: buffer.readInt32BE(offset + at + 4) / 10000,
    lon: buffer.readInt32BE(offset + at + 8) / 10000,
    area: buffer.readUInt32BE(offset + at + 12),
  };
}

/** The city record of an IPv4 address (unsigned 32-bit), or null. */
export function cityOfIpv4(address: number): CityRecord | null {
  const { v4, names } = open();
  const offset = v4.find(address >>> 0);
  return offset < 0 ? null : record(v4.block, offset, 8, names);
}

/** The city record of an IPv6 address (eight 16-bit groups), or null. */
export function cityOfIpv6(groups: Uint16Array): CityRecord | null {
  const { v6, names } = open();
  const high = (((groups[0] ?? 0) << 16) | (groups[1] ?? 0)) >>> 0;
  const low = (((groups[2] ?? 0) << 16) | (groups[3] ?? 0)) >>> 0;
  const payload = v6.find(high, low);
  return payload === null ? null : record(payload, 0, 0, names);
}
