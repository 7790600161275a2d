import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKENDS,
  call,
  detectedFlag,
  openTestStore,
  reader,
  seedFlags,
  testApi,
  token,
} from "../fixtures.ts";

describe.each(BACKENDS)("GET /v1/queue (%s)", (backend) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let app: ReturnType<typeof testApi>["app"];
  let bearer: string;

  beforeAll(async () => {
    store = await openTestStore(backend);
    app = testApi(store.sql).app;
    bearer = await reader();
    const at = (hour: number) => `2026-11-01T${String(hour).padStart(2, "0")}:00:00.000Z`;
    await seedFlags(store.sql, [
      detectedFlag("low-new", { severity: "low", lastEventAt: at(9) }),
      detectedFlag("crit-old", { severity: "critical", userId: "bob", lastEventAt: at(1) }),
      detectedFlag("high-mid", { severity: "high", lastEventAt: at(5) }),
      detectedFlag("crit-new", {
        severity: "critical",
        userId: "carol",
        lastEventAt: at(3),
        reasons: [{ code: "impossible_travel", message: "Travelled 9,000 km in 1 h" }],
      }),
      detectedFlag("med", { severity: "medium", lastEventAt: at(2) }),
    ]);
  });
  afterAll(() => store.close());

  const queue = async (query = "") => {
    const response = await call(app, "GET", `/v1/queue${query}`, { token: bearer });
    expect(response.status, response.text).toBe(200);
    return response.json;
  };
  const ids = (page: { items: { id: string }[] }) => page.items.map((f) => f.id);

  it("orders by severity, then the latest activity, and counts each severity", async () => {
    const page = await queue();
    expect(ids(page)).toEqual(["crit-new", "crit-old", "high-mid", "med", "low-new"]);
    expect(page.counts).toEqual({ low: 1, medium: 1, high: 1, critical: 2 });
    expect(page.nextCursor).toBeNull();
  });

  it("walks the same order page by page with the cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await queue(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["crit-new", "crit-old", "high-mid", "med", "low-new"]);
  });

  it("filters by severity, reason, user, status and activity time; counts ignore only the severity", async () => {
    const critical = await queue("?severity=critical");
    expect(ids(critical)).toEqual(["crit-new", "crit-old"]);
    expect(critical.counts).toEqual({ low: 1, medium: 1, high: 1, critical: 2 });
    expect(ids(await queue("?reason=impossible_travel"))).toEqual(["crit-new"]);
    expect(ids(await queue("?userId=bob"))).toEqual(["crit-old"]);
    expect(ids(await queue("?status=compromised"))).toEqual([]);
    const window = await queue(
      `?since=${encodeURIComponent("2026-11-01T02:00:00Z")}&until=${encodeURIComponent("2026-11-01T06:00:00Z")}`,
    );
    expect(ids(window)).toEqual(["crit-new", "high-mid", "med"]);
    expect(window.counts).toEqual({ low: 0, medium: 1, high: 1, critical: 1 });
  });

  it("refuses a cursor of another list, an unknown reason and a caller without flags:read", async () => {
    const flagsCursor = Buffer.from(JSON.stringify(["2026-11-01T00:00:00Z", "x"])).toString("base64url");
    expect((await call(app, "GET", `/v1/queue?cursor=${flagsCursor}`, { token: bearer })).status).toBe(400);
    expect((await call(app, "GET", "/v1/queue?reason=bad_vibes", { token: bearer })).status).toBe(400);
    const stranger = await token({ scope: "audit:read" });
    expect((await call(app, "GET", "/v1/queue", { token: stranger })).status).toBe(403);
  });
});
