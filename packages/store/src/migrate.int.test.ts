// Replicas started together on a fresh PostgreSQL database all migrate it at once.
import { readdirSync } from "node:fs";
import { expect, it } from "vitest";
import { migrate, openDatabase } from "./index.ts";
import { temporaryDatabase } from "./testing.ts";

it("migrates a fresh database once when several replicas start together", async () => {
  const db = await temporaryDatabase();
  const replicas = await Promise.all(
    Array.from({ length: 6 }, () => openDatabase({ url: db.url, maxConnections: 2 })),
  );
  try {
    const applied = await Promise.all(replicas.map((sql) => migrate(sql)));
    const files = readdirSync(new URL("./migrations/", import.meta.url)).filter((name) =>
      name.endsWith(".sql"),
    );
    expect(applied.flat().sort()).toEqual(files.sort());
  } finally {
    await Promise.all(replicas.map((sql) => sql.close()));
    await db.drop();
  }
});
