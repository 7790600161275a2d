// The simulator's command line: generates a population (or one scenario) and writes it as JSON
// lines or produces it to Kafka. `node packages/simulator/src/cli.ts --help` for the options.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { CliOptions } from "./args.ts";
import { parseCliArgs, USAGE } from "./args.ts";
import { formatJsonLine } from "./jsonl.ts";
import { generatePopulation } from "./population.ts";
import { produceEvents } from "./produce.ts";
import { generateScenario } from "./scenario.ts";
import { resolveTimeshift, shiftToEndAt } from "./timeshift.ts";
import type { LabelledEvent } from "./types.ts";

const log = (line: string) => process.stderr.write(`${line}\n`);

function generate(options: CliOptions): LabelledEvent[] {
  const { seed, start } = options;
  let items =
    options.scenario === undefined
      ? generatePopulation({
          seed,
          start,
          users: options.users,
          days: options.days,
          attackRate: options.attackRate,
        })
      : generateScenario(options.scenario, { seed, start });
  if (options.limit !== undefined) items = items.slice(0, options.limit);
  if (options.timeshift !== undefined) items = shiftToEndAt(items, resolveTimeshift(options.timeshift));
  return items;
}

function describe(items: readonly LabelledEvent[]): string {
  const users = new Set<string>();
  const attacked = new Set<string>();
  let attackEvents = 0;
  for (const { event, label } of items) {
    if (event.userId !== undefined) users.add(event.userId);
    if (!label.attack) continue;
    attackEvents++;
    // Taken over: the attacker had a session (a login, or a replayed cookie).
    if (event.userId !== undefined && event.sessionId !== undefined) attacked.add(event.userId);
  }
  const range =
    items.length === 0 ? "" : `, ${items[0]?.event.occurredAt} … ${items.at(-1)?.event.occurredAt}`;
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
  return `${n(items.length, "event")} of ${n(users.size, "account")} (${n(attackEvents, "attack event")}, ${n(attacked.size, "account")} taken over${range})`;
}

async function writeAll(
  stream: Writable,
  items: readonly LabelledEvent[],
  eventsOnly: boolean,
): Promise<void> {
  const CHUNK = 1000; // lines per write: few syscalls, bounded memory
  for (let i = 0; i < items.length; i += CHUNK) {
    let text = "";
    for (const item of items.slice(i, i + CHUNK)) text += `${formatJsonLine(item, eventsOnly)}\n`;
    if (!stream.write(text)) await once(stream, "drain");
  }
}

async function writeOut(items: readonly LabelledEvent[], out: string, eventsOnly: boolean): Promise<void> {
  if (out === "-") {
    // A closed pipe (`| head`) is the reader being done, not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
    await writeAll(process.stdout, items, eventsOnly);
    return;
  }
  const file = createWriteStream(out);
  await writeAll(file, items, eventsOnly);
  file.end();
  await once(file, "finish");
}

async function produce(items: readonly LabelledEvent[], options: CliOptions): Promise<void> {
  const stop = new AbortController();
  process.once("SIGINT", () => {
    log("\nstopping after the batch in flight (Ctrl-C again to quit now)");
    stop.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const tty = process.stderr.isTTY === true;
  let shown = 0;
  const result = await produceEvents(
    items.map((item) => item.event),
    {
      brokers: options.brokers,
      topic: options.topic,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      signal: stop.signal,
      onProgress(sent, total) {
        const now = performance.now();
        if (sent < total && now - shown < (tty ? 250 : 5000)) return;
        shown = now;
        process.stderr.write(`${tty ? "\r" : ""}sent ${sent}/${total} events${tty ? "   " : "\n"}`);
      },
    },
  );
  if (tty) process.stderr.write("\n");
  const perSecond = result.ms > 0 ? Math.round((result.sent * 1000) / result.ms) : result.sent;
  log(
    `produced ${result.sent} events to ${options.topic} at ${options.brokers.join(",")} in ${(result.ms / 1000).toFixed(1)} s (${perSecond}/s)`,
  );
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    log(`simulate: ${(error as Error).message}\n(--help lists the options)`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const items = generate(options);
  log(`generated ${describe(items)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (options.out !== undefined) {
    await writeOut(items, options.out, options.eventsOnly);
    if (options.out !== "-")
      log(`wrote ${items.length} ${options.eventsOnly ? "events" : "labelled events"} to ${options.out}`);
  } else {
    await produce(items, options);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`simulate: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
