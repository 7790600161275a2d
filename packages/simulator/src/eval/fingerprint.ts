// The engine's output on a seeded population, as one hash: every flag update in order, then the
// final state of every account and source. A change that is meant to be a pure speed-up must
// leave it identical.
//   node packages/simulator/src/eval/fingerprint.ts [--users 2000] [--days 30] [--seed 7]
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { generatePopulation } from "../index.ts";
import { enrich, replay } from "./replay.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "2000" },
    days: { type: "string", default: "30" },
    seed: { type: "string", default: "7" },
  },
});
const labelled = generatePopulation({
  seed: Number(values.seed),
  users: Number(values.users),
  days: Number(values.days),
});
const { updates, users, sources } = replay(enrich(labelled));
const hash = createHash("sha256");
for (const update of updates) hash.update(`${JSON.stringify(update)}\n`);
for (const [id, state] of users) hash.update(`user ${id} ${JSON.stringify(state)}\n`);
for (const [key, state] of sources) hash.update(`source ${key} ${JSON.stringify(state)}\n`);
process.stdout.write(
  `${labelled.length} events, ${updates.length} flag updates, ${users.size} accounts, ${sources.size} sources: ${hash.digest("hex")}\n`,
);
