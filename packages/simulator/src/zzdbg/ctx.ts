import { enrich, replay } from "../eval/replay.ts";
import { generatePopulation } from "../index.ts";

const labelled = generatePopulation({ seed: 7, users: 2000, days: 30, attackRate: 0.2 });
const run = replay(enrich(labelled));
const bySession = new Map<string, string>();
for (const l of labelled)
  if (l.label.sessionId && l.label.userId)
    bySession.set(
      `${l.label.userId}/${l.label.sessionId}`,
      `${l.label.scenario}${l.label.attack ? "!" : ""}`,
    );
const seen = new Map<string, number>();
for (const u of run.updates) {
  const r = u.reasons.find((x) => x.code === "session_context_changed");
  if (!r) continue;
  const s = bySession.get(`${u.userId}/${u.sessionId}`) ?? "?";
  if (s.endsWith("!")) continue;
  const k = `${s} ${JSON.stringify(r.details?.strength)} ${JSON.stringify(r.details?.changed)}`;
  seen.set(k, (seen.get(k) ?? 0) + 1);
  if (seen.get(k) === 1) console.log(k, "\n  ", r.message, JSON.stringify(r.details));
}
console.log([...seen].sort((a, b) => b[1] - a[1]).slice(0, 15));
