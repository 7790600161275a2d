// First logins of many distinct users: the profile cache's bound. With the API phase, the API is
// also measured while the consumer catches up on them.
import type { Bench } from "../bench.ts";
import { firstLogins, loginTemplates } from "../dataset.ts";
import { cpuOf, memoryOf } from "../proc.ts";
import { highWatermarks, produceAll } from "../produce.ts";
import type { Results } from "../report.ts";
import { fmt, sum } from "../util.ts";
import { heapOf, type Vigil } from "../vigil.ts";

export async function manyProfiles(
  { settings, kafka, prefix, topics, file, log }: Bench,
  vigil: Vigil,
): Promise<Pick<Results, "apiBusy" | "profiles">> {
  const measured: Pick<Results, "apiBusy" | "profiles"> = {};
  log(`${fmt(settings.profiles)} first logins of distinct users`);
  const templates = await loginTemplates(file, 5000);
  const before = await highWatermarks(kafka, topics.activity);
  const producing = produceAll(
    kafka,
    topics.activity,
    firstLogins(prefix.slice(5, 11), settings.profiles, templates, Date.parse("2026-11-01T00:00:00Z")),
  );
  const vigilCpuBefore = cpuOf(vigil.pid);
  await producing;
  const target = await highWatermarks(kafka, topics.activity);
  const catchingUp = vigil.consumeUntil(target, sum(before), 3_600_000);
  catchingUp.catch(() => {}); // awaited below; not unhandled while the API is measured
  if (settings.phases.has("api")) {
    // The API while the consumer catches up on the backlog of first logins.
    const users = await vigil.someUsers();
    const busy = await vigil.apiLoad(users);
    const behind = sum(target) - sum(await vigil.committed(topics.activity));
    measured.apiBusy = { ...busy, behindAfter: behind };
    log(
      `API while catching up: flags ${fmt(busy.flags.rate)} req/s (p99 ${busy.flags.p99Ms.toFixed(1)} ms), ` +
        `constant ${fmt(busy.constant.rate)} req/s; ${fmt(behind)} events still behind after`,
    );
  }
  const { first, last } = await catchingUp;
  await vigil.settle(600_000);
  const metrics = await vigil.scrape();
  const profiles = {
    events: last.count - sum(before),
    rate: (last.count - first.count) / ((last.at - first.at) / 1000),
    vigilCpuSeconds: cpuOf(vigil.pid) - vigilCpuBefore,
    rssAfter: memoryOf(vigil.pid)?.rss ?? 0,
    peakRss: vigil.memory.peak,
    profilesStored: await vigil.countRows("user_states"),
    cacheSize: metrics.vigil_profile_cache_size ?? Number.NaN,
    heap: heapOf(metrics),
  };
  measured.profiles = profiles;
  vigil.endPhase("profiles");
  await vigil.snapshot("profiles");
  log(
    `profiles: ${fmt(profiles.rate)} events/s, ${fmt(profiles.profilesStored)} profiles stored, ` +
      `rss ${fmt(profiles.rssAfter)} MiB`,
  );
  return measured;
}
