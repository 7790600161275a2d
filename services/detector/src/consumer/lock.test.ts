import { describe, expect, it } from "vitest";
import { KeyedLock } from "./lock.ts";

/** A task that records when it runs and finishes only when released. */
function gate(log: string[], name: string) {
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
    release: () => release(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("KeyedLock.runAll", () => {
  it("runs a task holding several keys only once each of them is free, and holds them all meanwhile", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const a = gate(log, "a");
    const both = gate(log, "both");
    const b = gate(log, "b");
    const first = lock.run("user:1", a.task);
    const second = lock.runAll(["user:2", "user:1"], both.task);
    await settle();
    expect(log, "user:1 is held: it waits").toEqual(["a start"]);
    a.release();
    await first;
    await settle();
    expect(log, "then it holds both").toEqual(["a start", "a end", "both start"]);
    const third = lock.run("user:2", b.task);
    const fourth = lock.run("user:1", async () => log.push("c"));
    await settle();
    expect(log, "tasks on either key wait for it").toEqual(["a start", "a end", "both start"]);
    both.release();
    b.release();
    expect(await Promise.all([second, third])).toEqual(["both", "b"]);
    await fourth;
    expect(log.slice(0, 4)).toEqual(["a start", "a end", "both start", "both end"]);
    expect(log.slice(4).sort()).toEqual(["b end", "b start", "c"]);
  });

  it("lets tasks whose keys cross in opposite orders both finish", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const one = gate(log, "one");
    const two = gate(log, "two");
    const first = lock.runAll(["user:1", "user:2"], one.task);
    const second = lock.runAll(["user:2", "user:1"], two.task);
    await settle();
    expect(log).toEqual(["one start"]);
    one.release();
    await first;
    await settle();
    two.release();
    expect(await second).toBe("two");
    expect(log).toEqual(["one start", "one end", "two start", "two end"]);
  });
});
