// The benchmark's data: a seeded simulator population (cached as `key<TAB>json` lines under
// .cache/bench/), replays of it under fresh ids for steady-rate runs, and first logins of distinct users.
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { eventKey } from "@vigil/events";
import { ipFacts } from "@vigil/geo";
import { generatePopulation } from "@vigil/simulator";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const cacheDir = join(repoRoot, ".cache", "bench");

/** Event time of the population's first day: fixed (so the cache holds), and in the past. */
export const POPULATION_START = "2026-10-01T00:00:00Z";
export const POPULATION_DAYS = 30;
/** The simulator gives about 163 events per user over 30 days; a little less, so one pass suffices. */
const EVENTS_PER_USER = 150;

export interface Line {
  key: string;
  value: string;
}

/**
 * The first `events` events (in time order) of a seeded population of ordinary users and attacks
 * over 30 days, generated once and cached. Returns the cache file.
 */
export async function population(seed: number, events: number, log: (text: string) => void): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `population-s${seed}-n${events}.tsv`);
  if (existsSync(file)) return file;
  let users = Math.ceil(events / EVENTS_PER_USER);
  for (;;) {
    const started = performance.now();
    const labelled = generatePopulation({ seed, users, days: POPULATION_DAYS, start: POPULATION_START });
    log(
      `generated ${labelled.length.toLocaleString("en-US")} events of ${users.toLocaleString("en-US")} users ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    if (labelled.length < events) {
      users = Math.ceil(users * 1.2);
      continue;
    }
    const partial = `${file}.partial`;
    const out = createWriteStream(partial);
    for (let i = 0; i < events; i++) {
      const event = (labelled[i] as (typeof labelled)[number]).event;
      if (!out.write(`${eventKey(event)}\t${JSON.stringify(event)}\n`)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    renameSync(partial, file);
    return file;
  }
}

/** The cached lines, streamed. */
export async function* readLines(file: string): AsyncGenerator<Line> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const tab = line.indexOf("\t");
    if (tab > 0) yield { key: line.slice(0, tab), value: line.slice(tab + 1) };
  }
}

/**
 * The population replayed over and over, each pass under its own ids (events, users, sessions,
 * devices get a `r<pass>` infix), so that every pass is new traffic of new users with the same mix.
 */
export async function* replays(file: string, firstPass = 1): AsyncGenerator<Line> {
  for (let pass = firstPass; ; pass++) {
    const infix = `r${pass}_`;
    const rename = (text: string) => text.replace(/"(evt|usr|ses|dev)_/g, `"$1_${infix}`);
    for await (const { key, value } of readLines(file)) {
      yield { key: key.startsWith("usr_") ? `usr_${infix}${key.slice(4)}` : key, value: rename(value) };
    }
  }
}

/** A user of the population who has logged in often enough to have a settled profile. */
export interface HistoryUser {
  userId: string;
  logins: number;
  countries: Set<string>;
}

/** Users with at least `minLogins` successful logins, and the countries they logged in from. */
export async function historyUsers(file: string, minLogins: number): Promise<HistoryUser[]> {
  const users = new Map<string, HistoryUser>();
  for await (const { value } of readLines(file)) {
    if (!value.includes('"type":"login.succeeded"')) continue;
    const event = JSON.parse(value) as { userId: string; ip: string };
    const country = ipFacts(event.ip)?.place?.country;
    let user = users.get(event.userId);
    if (!user) {
      user = { userId: event.userId, logins: 0, countries: new Set() };
      users.set(event.userId, user);
    }
    user.logins++;
    if (country) user.countries.add(country);
  }
  return [...users.values()].filter((user) => user.logins >= minLogins);
}

/** Logins used as templates for first logins of new users: real addresses and agents of the population. */
export async function loginTemplates(
  file: string,
  count: number,
): Promise<{ ip: string; userAgent: string }[]> {
  const templates: { ip: string; userAgent: string }[] = [];
  for await (const { value } of readLines(file)) {
    if (!value.includes('"type":"login.succeeded"')) continue;
    const event = JSON.parse(value) as { ip: string; userAgent?: string };
    templates.push({ ip: event.ip, userAgent: event.userAgent ?? "" });
    if (templates.length >= count) break;
  }
  return templates;
}

/**
 * An address near the template's (same /16, so mostly the same country), spread over many /24
 * networks: a million new users do not all come from the few thousand networks of the population.
 */
function spread(ip: string, n: number): string {
  const octets = ip.split(".");
  if (octets.length !== 4) return ip;
  return `${octets[0]}.${octets[1]}.${(n * 7 + Number(octets[2])) % 256}.${(n % 253) + 1}`;
}

/** `count` first logins, each of a user never seen before (`usr_new_<run>_<n>`), in time order. */
export function* firstLogins(
  run: string,
  count: number,
  templates: { ip: string; userAgent: string }[],
  startAt: number,
): Generator<Line> {
  for (let n = 0; n < count; n++) {
    const template = templates[n % templates.length] as { ip: string; userAgent: string };
    const userId = `usr_new_${run}_${n}`;
    const event = {
      id: `evt_new_${run}_${n}`,
      type: "login.succeeded",
      occurredAt: new Date(startAt + n).toISOString(),
      userId,
      sessionId: `ses_new_${run}_${n}`,
      ip: spread(template.ip, Math.floor(n / templates.length)),
      userAgent: template.userAgent,
      method: "password",
    };
    yield { key: userId, value: JSON.stringify(event) };
  }
}
