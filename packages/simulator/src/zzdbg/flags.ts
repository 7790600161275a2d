// Engine debugging only (not committed): reasons of benign high flags and missed attacks.

import { enrich, replay } from "../eval/replay.ts";
import { generatePopulation } from "../index.ts";

const seed = Number(process.argv[2] ?? 7);
const want = (process.argv[3] ?? "").split(",");
const labelled = generatePopulation({ seed, users: 2000, days: 30, attackRate: 0.2 });
const run = replay(enrich(labelled));
const bySession = new Map<string, { scenario: string; attack: boolean; actor: string }>();
for (const l of labelled)
  if (l.label.sessionId && l.label.userId) bySession.set(`${l.label.userId}/${l.label.sessionId}`, l.label);
const last = new Map<string, (typeof run.updates)[number]>();
for (const u of run.updates) last.set(u.id, u);
const counts = new Map<string, number>();
for (const u of last.values()) {
  const label = bySession.get(`${u.userId}/${u.sessionId}`);
  const scen = label?.scenario ?? "?";
  if (!want.includes(scen)) continue;
  if (label?.attack === false && u.severity !== "high" && u.severity !== "critical") continue;
  const key = `${scen} ${label?.attack ? "ATTACK" : "benign"} ${u.severity} ${u.reasons.map((r) => r.code).join(",")}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if ((counts.get(key) ?? 0) <= 1) console.log(`${key}\n   ${u.reasons.map((r) => r.message).join("\n   ")}`);
}
console.log(
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n}\t${k}`)
    .join("\n"),
);
// Missed attacks: attack sessions never high.
const high = new Set(
  [...last.values()]
    .filter((u) => u.severity === "high" || u.severity === "critical")
    .map((u) => `${u.userId}/${u.sessionId}`),
);
const missed = new Map<string, number>();
for (const [k, l] of bySession)
  if (l.attack && want.includes(l.scenario) && !high.has(k))
    missed.set(l.scenario, (missed.get(l.scenario) ?? 0) + 1);
console.log("attack sessions not high:", JSON.stringify([...missed]));
