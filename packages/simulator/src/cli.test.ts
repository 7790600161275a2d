import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./args.ts";
import { parseJsonLines } from "./jsonl.ts";
import { batchSize, dueAt } from "./produce.ts";
import { generateScenario } from "./scenario.ts";
import { resolveTimeshift, shiftToEndAt } from "./timeshift.ts";

const run = promisify(execFile);

describe("parseCliArgs", () => {
  it("has small defaults and takes the brokers from the environment", () => {
    expect(parseCliArgs([], { KAFKA_BROKERS: "k1:9092,k2:9092" })).toMatchObject({
      users: 200,
      days: 7,
      seed: 1,
      attackRate: 0.05,
      brokers: ["k1:9092", "k2:9092"],
      topic: "account-activity",
      eventsOnly: false,
    });
    expect(parseCliArgs([]).brokers).toEqual(["localhost:9092"]);
  });

  it("reads every option", () => {
    const argv =
      "--users 5 --days 2 --seed 9 --attack-rate 0.2 --out x.jsonl --events-only --rate 50 --limit 10 --timeshift now --topic t --brokers b:1";
    expect(parseCliArgs(argv.split(" "))).toMatchObject({
      users: 5,
      days: 2,
      seed: 9,
      attackRate: 0.2,
      out: "x.jsonl",
      eventsOnly: true,
      rate: 50,
      limit: 10,
      timeshift: "now",
      topic: "t",
      brokers: ["b:1"],
    });
    expect(parseCliArgs(["--scenario", "brute_force"]).scenario).toBe("brute_force");
    expect(parseCliArgs(["--", "--users", "3"]).users).toBe(3); // as `pnpm simulate -- …` passes it
  });

  it.each([
    ["--users", "x"],
    ["--days", "0"],
    ["--attack-rate", "1.5"],
    ["--rate", "-1"],
    ["--limit", "2.5"],
    ["--timeshift", "later"],
    ["--scenario", "nope"],
    ["--start", "soon"],
    ["--events-only"],
    ["--bogus"],
  ])("rejects %s %s", (...argv) => {
    expect(() => parseCliArgs(argv)).toThrow();
  });
});

describe("timeshift and pacing", () => {
  it("moves every event by the same amount so that the last one is at the target", () => {
    const items = generateScenario("home_user", { seed: 1 });
    const target = Date.parse("2030-01-01T12:00:00Z");
    const shifted = shiftToEndAt(items, target);
    expect(Date.parse(shifted.at(-1)?.event.occurredAt ?? "")).toBe(target);
    const gap = (list: typeof items, i: number) =>
      Date.parse(list[i]?.event.occurredAt ?? "") - Date.parse(list[0]?.event.occurredAt ?? "");
    expect(gap(shifted, items.length - 1)).toBe(gap(items, items.length - 1));
    expect(items[0]?.event.occurredAt).not.toBe(shifted[0]?.event.occurredAt); // the input is untouched
    expect(resolveTimeshift("now", () => 42)).toBe(42);
    // The first scenario loads the address and routing data: allow for a busy machine.
  }, 30_000);

  it("paces at a fixed rate in batches of about a twentieth of a second", () => {
    expect(batchSize(undefined)).toBe(500);
    expect(batchSize(100)).toBe(5);
    expect(batchSize(1)).toBe(1);
    expect(dueAt(250, 100)).toBe(2500);
    expect(dueAt(250, undefined)).toBe(0);
  });
});

describe("cli.ts", () => {
  it("writes labelled JSON lines, or bare events, that parse back", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-sim-"));
    const cli = join(import.meta.dirname, "cli.ts");
    const labelled = join(dir, "labelled.jsonl");
    const bare = join(dir, "events.jsonl");
    const args = ["--users", "30", "--days", "2", "--seed", "4"];
    await run(process.execPath, [cli, ...args, "--out", labelled]);
    const { stderr } = await run(process.execPath, [
      cli,
      ...args,
      "--out",
      bare,
      "--events-only",
      "--limit",
      "100",
    ]);
    expect(stderr).toMatch(/wrote 100 events/);
    const withLabels = parseJsonLines(readFileSync(labelled, "utf8"));
    const events = parseJsonLines(readFileSync(bare, "utf8"));
    expect(withLabels.length).toBeGreaterThan(100);
    expect(withLabels.every((item) => item.label !== undefined)).toBe(true);
    expect(events.map((item) => item.event)).toEqual(withLabels.slice(0, 100).map((item) => item.event));
    expect(events.every((item) => item.label === undefined)).toBe(true);
  });
});

describe("parseJsonLines", () => {
  it("names the line of an invalid event", () => {
    const [good] = generateScenario("home_user", { seed: 1 });
    const text = `${JSON.stringify(good)}\n\n{"id":"x","type":"login.succeeded"}\n`;
    expect(() => parseJsonLines(text)).toThrow(/line 3/);
    expect(() => parseJsonLines("{nope")).toThrow(/line 1/);
  });
});
