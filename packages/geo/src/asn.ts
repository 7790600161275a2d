import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Address } from "./ip.ts";
import { parseAddress } from "./ip.ts";
import { parseIpv6 } from "./ipv6.ts";
import { isNonPublicAddress } from "./nonPublic.ts";

// The autonomous system routing each address, from @ip-location-db/asn: RouteViews, the five RIRs'
// statistics (NRO) and DB-IP's IP to ASN Lite, merged by ip-location-db; CC BY 4.0, attribution to
// routeviews.org, nro.net and db-ip.com (see README). Loaded once per process, on the first lookup
// (~30 MB of CSV read, then dropped), into sorted typed arrays searched by bisection:
//   IPv4  first/last address of each range (uint32)
//   IPv6  first/last of each range by the high 64 bits (two uint32 words each): sites are /48 and
//         subnets /64, so no routing decision is finer than that
// Each range points into a table of Asn objects, one per AS number, shared by every lookup: a
// lookup allocates nothing.

/** The autonomous system that routes an address: who operates the network (a carrier, a host, a VPN). */
export interface Asn {
  readonly number: number;
  /** The organisation as the routing dataset names it. */
  readonly org: string;
}

interface V4Index {
  first: Uint32Array;
  last: Uint32Array;
  asn: Uint32Array;
}

interface V6Index {
  firstHigh: Uint32Array;
  firstLow: Uint32Array;
  lastHigh: Uint32Array;
  lastLow: Uint32Array;
  asn: Uint32Array;
}

interface AsnIndex {
  v4: V4Index;
  v6: V6Index;
  /** Indexed by the ranges' `asn` entries. */
  table: readonly Asn[];
}

const require = createRequire(import.meta.url);
let loaded: AsnIndex | undefined;

function datasetFile(name: string): string {
  return require.resolve(`@ip-location-db/asn/${name}`);
}

/** One CSV row of the dataset: first,last,number,organisation, by byte offsets into the file. */
interface Row {
  text: Buffer;
  line: number;
  /** Offsets of the first and second fields' ends (their commas) and of the organisation's start and end. */
  firstEnd: number;
  lastEnd: number;
  start: number;
  orgStart: number;
  orgEnd: number;
  number: number;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

function countLines(text: Buffer): number {
  let lines = 0;
  for (let at = text.indexOf(NEWLINE); at >= 0; at = text.indexOf(NEWLINE, at + 1)) lines++;
  return text.length > 0 && text[text.length - 1] !== NEWLINE ? lines + 1 : lines;
}

/** The unsigned decimal in text[from, to), or -1. */
function decimal(text: Buffer, from: number, to: number): number {
  if (from === to || to - from > 15) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = (text[i] ?? 0) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Calls `visit` for each row of the file's bytes. The file is never decoded whole (organisation
 * names are decoded only for AS numbers not seen before), so no string keeps it alive.
 */
function forEachRow(file: string, text: Buffer, visit: (row: Row) => void): void {
  const row: Row = { text, line: 0, firstEnd: 0, lastEnd: 0, start: 0, orgStart: 0, orgEnd: 0, number: 0 };
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(NEWLINE, start);
    if (end < 0) end = text.length;
    row.line++;
    const a = text.indexOf(COMMA, start);
    const b = a < 0 || a >= end ? -1 : text.indexOf(COMMA, a + 1);
    const c = b < 0 || b >= end ? -1 : text.indexOf(COMMA, b + 1);
    if (c < 0 || c >= end) throw new Error(`${file}:${row.line}: expected first,last,asn,organisation`);
    row.number = decimal(text, b + 1, c);
    if (row.number < 0 || row.number > 0xffffffff) throw new Error(`${file}:${row.line}: bad AS number`);
    row.start = start;
    row.firstEnd = a;
    row.lastEnd = b;
    row.orgStart = c + 1;
    row.orgEnd = text[end - 1] === 0x0d ? end - 1 : end;
    visit(row);
    start = end + 1;
  }
}

/** The organisation field: bare, or quoted with "" standing for a quote. */
function organisation({ text, orgStart, orgEnd, line }: Row): string {
  const field = text.toString("utf8", orgStart, orgEnd);
  if (!field.startsWith('"')) return field;
  if (!field.endsWith('"') || field.length < 2) throw new Error(`line ${line}: unterminated quoted field`);
  return field.slice(1, -1).replaceAll('""', '"');
}

class Table {
  readonly entries: Asn[] = [];
  readonly #byNumber = new Map<number, number>();

  /** The index of the row's AS number; the first organisation name seen for it is kept. */
  indexOf(row: Row): number {
    let index = this.#byNumber.get(row.number);
    if (index === undefined) {
      index = this.entries.length;
      this.entries.push(Object.freeze({ number: row.number, org: organisation(row) }));
      this.#byNumber.set(row.number, index);
    }
    return index;
  }
}

function loadV4(table: Table): V4Index {
  const file = "asn-ipv4-num.csv";
  const text = readFileSync(datasetFile(file));
  const capacity = countLines(text);
  const first = new Uint32Array(capacity);
  const last = new Uint32Array(capacity);
  const asn = new Uint32Array(capacity);
  let n = 0;
  forEachRow(file, text, (row) => {
    let a = decimal(row.text, row.start, row.firstEnd);
    const b = decimal(row.text, row.firstEnd + 1, row.lastEnd);
    if (a < 0 || b < a || b > 0xffffffff) throw new Error(`${file}:${row.line}: not a range`);
    if (n > 0 && a <= (last[n - 1] ?? 0)) {
      // Overlapping sources (one in 400k rows): the earlier range keeps the addresses both claim.
      if (a < (first[n - 1] ?? 0)) throw new Error(`${file}:${row.line}: range out of order`);
      if (b <= (last[n - 1] ?? 0)) return;
      a = (last[n - 1] ?? 0) + 1;
    }
    first[n] = a;
    last[n] = b;
    asn[n] = table.indexOf(row);
    n++;
  });
  return n === capacity
    ? { first, last, asn }
    : { first: first.slice(0, n), last: last.slice(0, n), asn: asn.slice(0, n) };
}

/** Whether (ah, al) < (bh, bl) as unsigned 64-bit numbers. */
function below(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && al < bl);
}

function loadV6(table: Table): V6Index {
  const firstHigh: number[] = [];
  const firstLow: number[] = [];
  const lastHigh: number[] = [];
  const lastLow: number[] = [];
  const asn: number[] = [];
  const file = "asn-ipv6.csv";
  forEachRow(file, readFileSync(datasetFile(file)), (row) => {
    const a = parseIpv6(row.text.toString("latin1", row.start, row.firstEnd));
    const b = parseIpv6(row.text.toString("latin1", row.firstEnd + 1, row.lastEnd));
    if (a === null || b === null) throw new Error(`${file}:${row.line}: not a range`);
    let [ah, al] = [high(a), low(a)];
    const [bh, bl] = [high(b), low(b)];
    if (below(bh, bl, ah, al)) throw new Error(`${file}:${row.line}: reversed range`);
    const n = firstHigh.length;
    const ph = lastHigh[n - 1] ?? 0;
    const pl = lastLow[n - 1] ?? 0;
    // Ranges finer than a /64 share 64-bit keys, and sources may overlap: the earlier range keeps
    // what both claim.
    if (n > 0 && !below(ph, pl, ah, al)) {
      if (below(ah, al, firstHigh[n - 1] ?? 0, firstLow[n - 1] ?? 0)) {
        throw new Error(`${file}:${row.line}: range out of order`);
      }
      if (!below(ph, pl, bh, bl)) return;
      [ah, al] = pl === 0xffffffff ? [ph + 1, 0] : [ph, pl + 1];
    }
    firstHigh.push(ah);
    firstLow.push(al);
    lastHigh.push(bh);
    lastLow.push(bl);
    asn.push(table.indexOf(row));
  });
  return {
    firstHigh: Uint32Array.from(firstHigh),
    firstLow: Uint32Array.from(firstLow),
    lastHigh: Uint32Array.from(lastHigh),
    lastLow: Uint32Array.from(lastLow),
    asn: Uint32Array.from(asn),
  };
}

function high(groups: Uint16Array): number {
  return (((groups[0] ?? 0) << 16) | (groups[1] ?? 0)) >>> 0;
}

function low(groups: Uint16Array): number {
  return (((groups[2] ?? 0) << 16) | (groups[3] ?? 0)) >>> 0;
}

function index(): AsnIndex {
  if (loaded === undefined) {
    const table = new Table();
    const v4 = loadV4(table);
    const v6 = loadV6(table);
    loaded = { v4, v6, table: table.entries };
  }
  return loaded;
}

function lookupV4({ v4, table }: AsnIndex, value: number): Asn | null {
  const { first, last, asn } = v4;
  // The last range starting at or before `value`.
  let lo = 0;
  let hi = first.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((first[mid] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  const at = lo - 1;
  if (at < 0 || (last[at] ?? 0) < value) return null;
  return table[asn[at] ?? 0] ?? null;
}

function lookupV6({ v6, table }: AsnIndex, groups: Uint16Array): Asn | null {
  const { firstHigh, firstLow, lastHigh, lastLow, asn } = v6;
  const h = high(groups);
  const l = low(groups);
  let lo = 0;
  let hi = firstHigh.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(h, l, firstHigh[mid] ?? 0, firstLow[mid] ?? 0)) hi = mid;
    else lo = mid + 1;
  }
  const at = lo - 1;
  if (at < 0 || below(lastHigh[at] ?? 0, lastLow[at] ?? 0, h, l)) return null;
  return table[asn[at] ?? 0] ?? null;
}

/** The routing network of a public address (the caller checked); null when the dataset has none. */
export function asnOfPublicAddress(address: Address): Asn | null {
  return typeof address === "number" ? lookupV4(index(), address) : lookupV6(index(), address);
}

/** The autonomous system routing `ip` (any IP text parseIp accepts); null when not an IP, non-public or unrouted. */
export function asnOf(ip: string): Asn | null {
  const address = parseAddress(ip);
  if (address === null || isNonPublicAddress(address)) return null;
  return asnOfPublicAddress(address);
}
