// What the ASN index costs one process: load time, resident memory added and lookups per second.
//   node --expose-gc packages/geo/src/measureAsn.ts [--count 1000000] [--seed 7]
// Addresses: uniformly random public IPv4 addresses, and random IPv6 addresses where the RIRs
// allocate, as text, the way events carry them.
import { parseArgs } from "node:util";
import { asnOf } from "./asn.ts";
import { asnLookupsPerSecond } from "./asnRate.ts";
import { isIp } from "./ip.ts";
import { formatIpv4 } from "./ipv4.ts";
import { nextUnit, prng } from "./prng.ts";

const { values } = parseArgs({
  options: { count: { type: "string", default: "1000000" }, seed: { type: "string", default: "7" } },
});
const count = Number(values.count);
const next = prng(Number(values.seed));
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const v4: string[] = [];
while (v4.length < count) {
  const text = formatIpv4(Math.floor(nextUnit(next) * 2 ** 32));
  if (isIp(text)) v4.push(text);
}
const v6: string[] = [];
while (v6.length < count / 10) {
  const groups = Array.from({ length: 8 }, () => Math.floor(nextUnit(next) * 0x10000).toString(16));
  groups[0] = (0x2001 + Math.floor(nextUnit(next) * 0xc0f)).toString(16); // 2001::-2c0f::, where RIRs allocate
  v6.push(groups.join(":"));
}

gc?.();
const before = process.memoryUsage();
const loadStart = performance.now();
asnOf("8.8.8.8");
const loadMs = performance.now() - loadStart;
gc?.();
const after = process.memoryUsage();
const routedV4 = v4.filter((ip) => asnOf(ip) !== null).length / v4.length;
const routedV6 = v6.filter((ip) => asnOf(ip) !== null).length / v6.length;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
process.stdout.write(
  `ASN index (@ip-location-db/asn): loaded in ${loadMs.toFixed(0)} ms${gc ? "" : " (run with --expose-gc for steady figures)"}\n` +
    `  RSS added ${mib(after.rss - before.rss)}, heap ${mib(after.heapUsed - before.heapUsed)}, typed arrays ${mib(after.arrayBuffers - before.arrayBuffers)}\n` +
    `  IPv4 asnOf: ${fmt(asnLookupsPerSecond(v4))} lookups/s (${fmt(v4.length)} random public addresses, ${(routedV4 * 100).toFixed(1)} % routed)\n` +
    `  IPv6 asnOf: ${fmt(asnLookupsPerSecond(v6))} lookups/s (${fmt(v6.length)} random addresses in 2000::/3, ${(routedV6 * 100).toFixed(1)} % routed)\n`,
);
