// A steady rate for the soak: produce-to-flag-visible latency of marker logins (a settled user
// signing in from a new country) and the process's memory over time.
import { sampleIps } from "@vigil/geo";
import { CITIES } from "@vigil/simulator";
import type { Bench } from "../bench.ts";
import { type HistoryUser, historyUsers, type Line, replays } from "../dataset.ts";
import { cpuOf, slopePerMinute } from "../proc.ts";
import { produceAtRate, type Scheduled } from "../produce.ts";
import type { Results } from "../report.ts";
import { fmt, shuffle, sleep } from "../util.ts";
import { heapOf, type Vigil } from "../vigil.ts";

interface Marker {
  country: string;
  ips: string[];
}

/** Addresses in cities far from most users (geolocated, so a login from there is a new country). */
function markerPlaces(): Marker[] {
  const places = [CITIES.lagos, CITIES.tokyo, CITIES.saoPaulo, CITIES.sydney, CITIES.mumbai, CITIES.newYork];
  return places.map((city, i) => ({
    country: city.country,
    ips: sampleIps({ country: city.country, city: city.city, count: 50, seed: 1000 + i }),
  }));
}

/** The phase's figures, and the users the markers signed in as (their flags exist). */
export async function steadyRate(
  { settings, kafka, prefix, topics, file, log }: Bench,
  vigil: Vigil,
): Promise<{ steady: NonNullable<Results["steady"]>; markedUsers: string[] }> {
  log(
    `steady: ${fmt(settings.rate)} events/s for ${settings.soakSeconds / 60} min, ` +
      `${settings.markersPerSecond} marker logins/s`,
  );
  // Settled at home: ten logins or more, all from one country. (Of the simulator's accounts with
  // a takeover in their history, ~1 in 2,000 has learnt the attacker's countries well enough
  // that one more new country scores under a flag.)
  const candidates = shuffle(
    (await historyUsers(file, 10)).filter((user) => user.countries.size === 1),
    settings.seed,
  );
  const markers = markerPlaces();
  const traffic = replays(file)[Symbol.asyncIterator]();
  const every = Math.max(1, Math.round(settings.rate / settings.markersPerSecond));
  const latencies: number[] = [];
  const pending = new Map<string, { userId: string; due: number; polling: boolean }>();
  const markedUsers: string[] = [];
  let missed = 0;
  let index = 0;
  let markerCount = 0;
  const run = prefix.slice(5, 11);
  const next = async (): Promise<Scheduled> => {
    const i = index++;
    if (i % every !== every - 1 || candidates.length === 0) {
      const { value } = await traffic.next();
      return value as Line;
    }
    const n = markerCount++;
    const user = candidates[n % candidates.length] as HistoryUser;
    const place = markers.find((m) => !user.countries.has(m.country)) ?? (markers[0] as Marker);
    const sessionId = `ses_mark_${run}_${n}`;
    markedUsers.push(user.userId);
    const event = {
      id: `evt_mark_${run}_${n}`,
      type: "login.succeeded",
      occurredAt: new Date().toISOString(),
      userId: user.userId,
      sessionId,
      ip: place.ips[n % place.ips.length],
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
      deviceId: `dev_mark_${run}_${n}`,
      method: "password",
    };
    return {
      key: user.userId,
      value: JSON.stringify(event),
      onDue: (due) => pending.set(sessionId, { userId: user.userId, due, polling: false }),
    };
  };
  let polling = true;
  let lastDue = Number.POSITIVE_INFINITY;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      const now = performance.now();
      for (const [sessionId, marker] of pending) {
        if (marker.polling) continue;
        if (now - marker.due > 30_000) {
          pending.delete(sessionId);
          missed++;
          log(`  marker ${sessionId} of ${marker.userId} not flagged within 30 s`);
          continue;
        }
        marker.polling = true;
        void fetch(`${vigil.url}/v1/flags?userId=${encodeURIComponent(marker.userId)}`, {
          headers: { authorization: vigil.authorization },
        })
          .then(async (response) => {
            const body = (await response.json()) as { items?: { sessionId: string | null }[] };
            if (body.items?.some((flag) => flag.sessionId === sessionId)) {
              latencies.push(performance.now() - marker.due);
              pending.delete(sessionId);
            }
          })
          .catch(() => {})
          .finally(() => {
            marker.polling = false;
          });
      }
      if (!polling && pending.size > 0 && performance.now() > lastDue + 35_000) break;
      await sleep(10);
    }
  })();
  const from = performance.now() / 1000;
  const cpuBefore = cpuOf(vigil.pid);
  const sent = await produceAtRate(kafka, topics.activity, settings.rate, settings.soakSeconds, next);
  lastDue = performance.now();
  polling = false;
  const to = performance.now() / 1000;
  await poller;
  await traffic.return?.(undefined);
  const samples = vigil.memory.between(from, to);
  const secondHalf = vigil.memory.between((from + to) / 2, to);
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const metrics = await vigil.scrape();
  const steady = {
    rate: settings.rate,
    seconds: settings.soakSeconds,
    sent: sent.sent,
    producerBehindMs: sent.behindMs,
    markers: markerCount,
    flagged: latencies.length,
    missed,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    rssStart: samples[0]?.rss ?? 0,
    rssEnd: samples[samples.length - 1]?.rss ?? 0,
    slope: slopePerMinute(samples),
    slopeSecondHalf: slopePerMinute(secondHalf),
    vigilCpuShare: (cpuOf(vigil.pid) - cpuBefore) / (to - from),
    cacheSize: metrics.vigil_profile_cache_size ?? Number.NaN,
    heap: heapOf(metrics),
    profilesStored: await vigil.countRows("user_states"),
    rssSeries: samples
      .filter((_, i) => i % 10 === 0)
      .map((s) => [Math.round(s.at - from), Math.round(s.rss)]),
  };
  log(
    `steady: p50 ${steady.p50Ms.toFixed(0)} ms, p99 ${steady.p99Ms.toFixed(0)} ms ` +
      `(${latencies.length} of ${markerCount} markers flagged), rss slope ${steady.slope.toFixed(2)} MiB/min`,
  );
  vigil.endPhase("steady");
  return { steady, markedUsers };
}
