import { asnOf } from "./asn.ts";

/**
 * asnOf() calls per second of CPU time over `ips` (text, as events carry them), the dataset loaded
 * beforehand. Loops over the list until at least `minimumCpuMs` have been spent.
 */
export function asnLookupsPerSecond(ips: readonly string[], minimumCpuMs = 500): number {
  if (ips.length === 0) throw new RangeError("no addresses to look up");
  asnOf(ips[0] ?? "");
  let found = 0;
  let calls = 0;
  const start = process.cpuUsage();
  let spentMs = 0;
  while (spentMs < minimumCpuMs) {
    for (const ip of ips) if (asnOf(ip) !== null) found++;
    calls += ips.length;
    const { user, system } = process.cpuUsage(start);
    spentMs = (user + system) / 1000;
  }
  // `found` keeps the lookups from being optimised away.
  return found >= 0 ? calls / (spentMs / 1000) : 0;
}
