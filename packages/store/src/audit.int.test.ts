// Audit entries written with a read: the flags a reader gets commit with the record of the read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuditEntry,
  appendAudit,
  appendAuditReadingFlags,
  listAudit,
  listFlags,
  type Sql,
  upsertFlags,
} from "./index.ts";
import { detectedFlag, storeBackends } from "./testing.ts";

const flag = (id: string, userId: string) => detectedFlag(id, { userId });

const entry = (requestId: string, target: string | null = null): AuditEntry => ({
  subject: "ana",
  action: "GET /v1/flags",
  target,
  status: 200,
  requestId,
});

describe.each(storeBackends)("audit entries with reads (%s)", (_name, open) => {
  let sql: Sql;
  let done: () => Promise<void>;

  beforeAll(async () => {
    ({ sql, done } = await open());
    // u1's flags created a minute apart, oldest first; one flag of u2.
    for (const [i, id] of ["a", "b", "c"].entries())
      await upsertFlags(sql, [flag(id, "u1")], `2026-11-01T10:0${i}:00.000Z`);
    await upsertFlags(sql, [flag("z", "u2")], "2026-11-01T11:00:00.000Z");
  });
  afterAll(() => done());

  it("reads a user's newest flags, paged exactly like listFlags, and appends the entry", async () => {
    const page = await appendAuditReadingFlags(sql, entry("r1", "u1"), { userId: "u1", limit: 2 });
    expect(page).toEqual(await listFlags(sql, { userId: "u1" }, { limit: 2 }));
    expect(page.items.map((f) => f.id)).toEqual(["c", "b"]);
    expect(page.nextCursor).not.toBeNull();
    const last = await appendAuditReadingFlags(sql, entry("r2", "u1"), { userId: "u1", limit: 3 });
    expect(last).toEqual({ items: expect.any(Array), nextCursor: null });
    expect((await listAudit(sql, { limit: 2 })).map((e) => [e.requestId, e.target])).toEqual([
      ["r2", "u1"],
      ["r1", "u1"],
    ]);
  });

  it("gives each of many concurrent readers its own user's flags and appends every entry, in order", async () => {
    const [u1, plain, u2, nobody, again] = await Promise.all([
      appendAuditReadingFlags(sql, entry("c1", "u1"), { userId: "u1", limit: 50 }),
      appendAudit(sql, entry("c2")),
      appendAuditReadingFlags(sql, entry("c3", "u2"), { userId: "u2", limit: 50 }),
      appendAuditReadingFlags(sql, entry("c4", "u9"), { userId: "u9", limit: 50 }),
      appendAuditReadingFlags(sql, entry("c5", "u1"), { userId: "u1", limit: 1 }),
    ]);
    expect(u1.items.map((f) => f.id)).toEqual(["c", "b", "a"]);
    expect(plain).toBeUndefined();
    expect(u2.items.map((f) => [f.id, f.userId])).toEqual([["z", "u2"]]);
    expect(nobody).toEqual({ items: [], nextCursor: null });
    expect(again.items.map((f) => f.id)).toEqual(["c"]);
    const written = (await listAudit(sql, { limit: 5 })).reverse();
    expect(written.map((e) => e.requestId)).toEqual(["c1", "c2", "c3", "c4", "c5"]);
  });

  it("answers no flags when the entry cannot be written", async () => {
    const before = (await listAudit(sql, { limit: 10_000 })).length;
    const unwritable = { ...entry("x1", "u1"), subject: null as unknown as string };
    await expect(appendAuditReadingFlags(sql, unwritable, { userId: "u1", limit: 50 })).rejects.toThrow();
    expect((await listAudit(sql, { limit: 10_000 })).length).toBe(before);
  });

  it("fails only the entry that cannot be written, never the calls that shared its statement", async () => {
    const unwritable = { ...entry("g2", "u1"), status: 2 ** 40 };
    const results = await Promise.allSettled([
      appendAuditReadingFlags(sql, entry("g1", "u1"), { userId: "u1", limit: 50 }),
      appendAuditReadingFlags(sql, unwritable, { userId: "u1", limit: 50 }),
      appendAudit(sql, entry("g3")),
      appendAuditReadingFlags(sql, entry("g4", "u2"), { userId: "u2", limit: 50 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(results[0]).toMatchObject({ value: { items: [{ id: "c" }, { id: "b" }, { id: "a" }] } });
    const written = (await listAudit(sql, { limit: 3 })).reverse();
    expect(written.map((e) => e.requestId)).toEqual(["g1", "g3", "g4"]);
  });

  it("keeps targets, subjects and request ids storable and bounded, and reads nothing for an unstorable user id", async () => {
    const hostile = {
      ...entry("h\u0000".repeat(200), "u1\u0000"),
      subject: "ana\ud800",
      callerRequestId: "x".repeat(5000),
    };
    const page = await appendAuditReadingFlags(sql, hostile, { userId: "u1\u0000", limit: 50 });
    expect(page).toEqual({ items: [], nextCursor: null });
    const [kept] = await listAudit(sql, { limit: 1 });
    expect(kept).toMatchObject({ subject: "ana\ufffd", target: "u1" });
    expect(kept?.requestId).toHaveLength(256);
    expect(kept?.callerRequestId).toBe("x".repeat(256));
  });
});
