// Summarises a V8 CPU profile (from `run.ts --cpu-prof`): self time by function and by package.
//   node test/bench/profile.ts .cache/bench/prof/<file>.cpuprofile [--top 40]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "40" } },
});
const profile = JSON.parse(readFileSync(positionals[0] ?? "", "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  if (url === "") return "(native)";
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith("node:") ? "node" : url.split("/").slice(-2).join("/");
};
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  if (ms === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split("/").slice(-1)[0] ?? "";
  const name = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  byPackage.set(where(url), (byPackage.get(where(url)) ?? 0) + ms);
}
const show = (title: string, map: Map<string, number>, top: number) => {
  process.stdout.write(`\n${title} (total ${(total / 1000).toFixed(1)} s)\n`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((ms / total) * 100).toFixed(1).padStart(6)} %  ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}\n`,
    );
  }
};
show("self time by package", byPackage, 25);
show("self time by function", byFunction, Number(values.top));
