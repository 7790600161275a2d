// API throughput against a constant hono route in the same process, on a service that has caught up:
// the API's figure, not its competition with the consumer.
import type { Bench } from "../bench.ts";
import { highWatermarks } from "../produce.ts";
import type { Results } from "../report.ts";
import { fmt } from "../util.ts";
import type { Vigil } from "../vigil.ts";

/** `markedUsers`: the steady phase's, whose flags exist; else some users Vigil knows. */
export async function apiThroughput(
  { kafka, topics, log }: Bench,
  vigil: Vigil,
  markedUsers: string[],
): Promise<Results["api"]> {
  await vigil.consumeUntil(await highWatermarks(kafka, topics.activity), 0, 3_600_000);
  await vigil.settle(600_000);
  const users = markedUsers.length > 0 ? [...new Set(markedUsers)].slice(0, 500) : await vigil.someUsers();
  const api = await vigil.apiLoad(users);
  vigil.endPhase("api");
  log(`API: flags ${fmt(api.flags.rate)} req/s, constant ${fmt(api.constant.rate)} req/s`);
  return api;
}
