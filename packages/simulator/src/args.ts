import { parseArgs } from "node:util";
import { TOPICS } from "@vigil/events";
import type { ScenarioName } from "./types.ts";
import { DEFAULT_ATTACK_RATE, DEFAULT_START, SCENARIOS } from "./types.ts";

// The CLI's options, parsed and checked in one place so that a typo fails before anything is
// generated or sent.

export interface CliOptions {
  users: number;
  days: number;
  seed: number;
  attackRate: number;
  start: string;
  /** One story instead of a population. */
  scenario?: ScenarioName;
  /** Write JSON lines here ("-" for stdout) instead of producing to Kafka. */
  out?: string;
  eventsOnly: boolean;
  brokers: string[];
  topic: string;
  /** Events per second; undefined: as fast as the broker takes them. */
  rate?: number;
  limit?: number;
  /** "now", or an ISO time: the last event is moved there and all others with it. */
  timeshift?: string;
  help: boolean;
}

export const USAGE = `Usage: node packages/simulator/src/cli.ts [options]

Generates seeded, labelled account activity and writes it as JSON lines or produces it to Kafka.

  --users N          users in the population (default 200)
  --days D           days of activity (default 7)
  --seed S           integer seed; the same options give the same events (default 1)
  --attack-rate R    share of users whose account is attacked, 0–1 (default ${DEFAULT_ATTACK_RATE})
  --start ISO        start of the window (default ${DEFAULT_START})
  --scenario NAME    one small story instead of a population: ${SCENARIOS.join(", ")}
  --out FILE         write JSON lines {"event":…,"label":…} to FILE ("-": stdout) instead of Kafka
  --events-only      with --out: write bare events, one per line (the archive format tools replay)
  --brokers LIST     Kafka bootstrap servers (default $KAFKA_BROKERS or localhost:9092)
  --topic NAME       topic to produce to (default ${TOPICS.activity})
  --rate N           events per second, at a fixed pace (default: unlimited)
  --limit N          only the first N events
  --timeshift now    move all timestamps so that the last event is now (or at an ISO time)
  --help             this text
`;

function number(
  name: string,
  text: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new RangeError(`--${name}: not a valid value: ${JSON.stringify(text)}`);
  }
  return value;
}

const positiveInteger = (n: number) => Number.isSafeInteger(n) && n > 0;

export function parseCliArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): CliOptions {
  const { values } = parseArgs({
    // `pnpm simulate -- --users 5` passes the "--" along: it separates pnpm's arguments, not ours.
    args: argv[0] === "--" ? argv.slice(1) : [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      users: { type: "string" },
      days: { type: "string" },
      seed: { type: "string" },
      "attack-rate": { type: "string" },
      start: { type: "string" },
      scenario: { type: "string" },
      out: { type: "string" },
      "events-only": { type: "boolean", default: false },
      brokers: { type: "string" },
      topic: { type: "string" },
      rate: { type: "string" },
      limit: { type: "string" },
      timeshift: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const start = values.start ?? DEFAULT_START;
  if (Number.isNaN(Date.parse(start))) throw new RangeError(`--start: not an ISO timestamp: ${start}`);
  const scenario = values.scenario as ScenarioName | undefined;
  if (scenario !== undefined && !SCENARIOS.includes(scenario)) {
    throw new RangeError(`--scenario: unknown "${scenario}"; one of ${SCENARIOS.join(", ")}`);
  }
  const timeshift = values.timeshift;
  if (timeshift !== undefined && timeshift !== "now" && Number.isNaN(Date.parse(timeshift))) {
    throw new RangeError(`--timeshift: "now" or an ISO timestamp, not ${JSON.stringify(timeshift)}`);
  }
  if (values["events-only"] && values.out === undefined) throw new RangeError("--events-only needs --out");
  const options: CliOptions = {
    users: number("users", values.users, 200, (n) => Number.isSafeInteger(n) && n >= 0),
    days: number("days", values.days, 7, (n) => n > 0),
    seed: number("seed", values.seed, 1, Number.isSafeInteger),
    attackRate: number("attack-rate", values["attack-rate"], DEFAULT_ATTACK_RATE, (n) => n >= 0 && n <= 1),
    start,
    eventsOnly: values["events-only"],
    brokers: (values.brokers ?? env.KAFKA_BROKERS ?? "localhost:9092").split(",").filter((b) => b !== ""),
    topic: values.topic ?? TOPICS.activity,
    help: values.help,
  };
  if (scenario !== undefined) options.scenario = scenario;
  if (values.out !== undefined) options.out = values.out;
  if (values.rate !== undefined) options.rate = number("rate", values.rate, 0, (n) => n > 0);
  if (values.limit !== undefined) options.limit = number("limit", values.limit, 0, positiveInteger);
  if (timeshift !== undefined) options.timeshift = timeshift;
  return options;
}
