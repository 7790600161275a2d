// The holdout: traffic written apart from the simulator (test/holdout/*.ts), through the real engine
// offline, scored per story: the share of attacks whose session reached high, and of benign stories
// that raised a flag at medium or high. Not part of CI; its figures go into notes and docs/quality.md.
//   pnpm holdout [--per-shape 100] [--seed 1] [--only name,name] [--show name]
import { parseArgs } from "node:util";
import type { FlagUpdate } from "@vigil/detection";
import { severityRank, validateEvent } from "@vigil/events";
import { enrich, replay } from "../../packages/simulator/src/eval/replay.ts";
import type { LabelledEvent } from "../../packages/simulator/src/types.ts";
import { Account, DAY } from "./account.ts";
import { SHAPES } from "./shapes.ts";
import { knowsCarriers } from "./world.ts";

const { values } = parseArgs({
  options: {
    "per-shape": { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
    only: { type: "string" },
    show: { type: "string" },
    "show-misses": { type: "boolean" },
  },
});
const perShape = Number(values["per-shape"]);
const seed = Number(values.seed);
const only = values.only?.split(",");
const START = Date.parse("2026-09-01T00:00:00Z");

interface Story {
  shape: string;
  attack: boolean;
  userId: string;
  from: string;
  targets: string[];
}

const stories: Story[] = [];
const labelled: LabelledEvent[] = [];
let index = 0;
for (const shape of SHAPES) {
  if (only && !only.includes(shape.name)) continue;
  for (let n = 0; n < perShape; n++) {
    let account = new Account(index++, seed);
    while (shape.fits !== undefined && !shape.fits(account)) account = new Account(index++, seed);
    const days = account.dice.int(21, 35);
    const at = START + days * DAY + account.dice.int(8, 20) * 3_600_000;
    account.history(START, START + days * DAY);
    account.scenario = shape.name;
    account.scenarioAttack = shape.attack;
    const targets = shape.write(account, at);
    stories.push({
      shape: shape.name,
      attack: shape.attack,
      userId: account.userId,
      from: new Date(at).toISOString(),
      targets,
    });
    for (const item of account.events) {
      const result = validateEvent(item.event);
      if (!result.ok) throw new Error(`holdout wrote an invalid event: ${result.message}`);
      labelled.push({ event: result.event, label: item.label });
    }
  }
}
labelled.sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
const run = replay(enrich(labelled));

const latest = new Map<string, FlagUpdate>();
for (const update of run.updates) {
  const known = latest.get(update.id);
  if (known === undefined || severityRank(update.severity) >= severityRank(known.severity))
    latest.set(update.id, update);
}
const byUser = new Map<string, FlagUpdate[]>();
for (const flag of latest.values()) {
  const list = byUser.get(flag.userId) ?? [];
  list.push(flag);
  byUser.set(flag.userId, list);
}

const HIGH = severityRank("high");
const MEDIUM = severityRank("medium");
const rows = new Map<
  string,
  { attack: boolean; n: number; high: number; medium: number; historyMedium: number }
>();
for (const story of stories) {
  const row = rows.get(story.shape) ?? { attack: story.attack, n: 0, high: 0, medium: 0, historyMedium: 0 };
  rows.set(story.shape, row);
  row.n += 1;
  const flags = byUser.get(story.userId) ?? [];
  const during = flags.filter((f) => f.lastEventAt >= story.from);
  const before = flags.filter((f) => f.lastEventAt < story.from);
  if (before.some((f) => severityRank(f.severity) >= MEDIUM)) {
    row.historyMedium += 1;
    if (process.env.HOLDOUT_DEBUG)
      for (const f of before.filter((x) => severityRank(x.severity) >= MEDIUM))
        console.log(`history ${f.severity} ${f.firstEventAt} ${f.reasons.map((r) => r.message).join(" | ")}`);
  }
  const reaches = (rank: number, targets?: string[]) =>
    during.some(
      (f) =>
        severityRank(f.severity) >= rank &&
        (targets === undefined || (f.sessionId !== null && targets.includes(f.sessionId))),
    );
  const caught = story.attack && reaches(HIGH, story.targets);
  const medium = !story.attack && reaches(MEDIUM);
  if (caught || (!story.attack && reaches(HIGH))) row.high += 1;
  if (medium) row.medium += 1;
  // --show NAME prints a story's flags: its first three, or with --show-misses those that went wrong.
  const wrong = story.attack ? !caught : medium;
  if (values.show === story.shape && (values["show-misses"] ? wrong : row.n <= 3)) {
    console.log(`\n${story.shape} ${story.userId} from ${story.from}`);
    for (const f of during)
      console.log(`  ${f.severity} ${f.score} ${f.sessionId} ${f.reasons.map((r) => r.message).join(" | ")}`);
  }
}

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)} %`;
console.log(
  `\nholdout: ${stories.length} stories, ${labelled.length} events, seed ${seed}, carriers by ASN: ${knowsCarriers ? "yes" : "no"}`,
);
console.log("| story | kind | n | attacks reaching high | benign medium+ | benign high+ | history medium+ |");
console.log("|---|---|---|---|---|---|---|");
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${r.attack ? "attack" : "benign"} | ${r.n} | ${r.attack ? pct(r.high, r.n) : "–"} | ${r.attack ? "–" : pct(r.medium, r.n)} | ${r.attack ? "–" : pct(r.high, r.n)} | ${pct(r.historyMedium, r.n)} |`,
  );
}
