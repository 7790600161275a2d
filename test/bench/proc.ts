// What the operating system says about processes: resident memory and CPU time, read from /proc so
// that the measured process does not measure itself.
import { readdirSync, readFileSync } from "node:fs";

const PAGE_TICKS = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux.
const MiB = 1024 * 1024;

/** Resident set size now, its peak (VmHWM) and its anonymous part, in MiB; null once the process is gone. */
export function memoryOf(pid: number): { rss: number; peak: number; anon: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return {
      rss: (kib("VmRSS") * 1024) / MiB,
      peak: (kib("VmHWM") * 1024) / MiB,
      anon: (kib("RssAnon") * 1024) / MiB,
    };
  } catch {
    return null;
  }
}

function statOf(pid: string): { comm: string; cpu: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // Fields after the name: state is [0], utime [11], stime [12].
    return { comm, cpu: (Number(fields[11]) + Number(fields[12])) / PAGE_TICKS };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuOf(pid: number): number {
  return statOf(String(pid))?.cpu ?? 0;
}

/** CPU seconds used so far by every live process, summed by command name (java, postgres, node…). */
export function cpuByCommand(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat) totals.set(stat.comm, (totals.get(stat.comm) ?? 0) + stat.cpu);
  }
  return totals;
}

/** CPU seconds per command between two snapshots (processes that ended in between are not counted). */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const spent = new Map<string, number>();
  for (const [comm, cpu] of after) {
    const delta = cpu - (before.get(comm) ?? 0);
    if (delta > 0.05) spent.set(comm, delta);
  }
  return spent;
}

/** Samples a process's memory every `everyMs` until stopped; keeps (elapsed s, rss MiB) pairs. */
export class MemorySampler {
  readonly samples: { at: number; rss: number }[] = [];
  #peak = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #pid: number;

  constructor(pid: number, everyMs = 1000) {
    this.#pid = pid;
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
  }

  sample(): number | null {
    const memory = memoryOf(this.#pid);
    if (memory === null) return null;
    this.samples.push({ at: performance.now() / 1000, rss: memory.rss });
    this.#peak = Math.max(this.#peak, memory.peak);
    return memory.rss;
  }

  /** The kernel's high-water mark (VmHWM) as last seen: peaks between samples are not missed. */
  get peak(): number {
    return this.#peak;
  }

  between(from: number, to: number): { at: number; rss: number }[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Least-squares slope of rss over time, in MiB per minute. */
export function slopePerMinute(samples: { at: number; rss: number }[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanT = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanR = samples.reduce((sum, s) => sum + s.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - meanT) * (s.rss - meanR);
    den += (s.at - meanT) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/** The version of the Kafka broker running on this machine, from its command line (jar or folder name). */
export function localKafkaVersion(): string {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmdline.includes("kafka.Kafka")) continue;
      const match = /kafka(?:_2\.1\d)?-(\d+\.\d+\.\d+)/.exec(cmdline);
      if (match?.[1]) return match[1];
    } catch {
      // the process ended meanwhile
    }
  }
  return "?";
}
