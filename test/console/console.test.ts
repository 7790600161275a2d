// The analyst console in a real Chromium, against the real service on the real broker and
// PostgreSQL, fed the live demo's story (a population with a takeover from abroad among it).
import { REASON_CODES, SEVERITIES } from "@vigil/events";
import { demoStory, demoVictim } from "@vigil/simulator";
import { type DetectedFlag, openStore, upsertFlags } from "@vigil/store";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type WatchedPage, watchedPage } from "../support/browser.ts";
import { produce } from "../support/kafka.ts";
import { startVigil, type TestVigil } from "../support/vigil.ts";
import { waitFor } from "../support/wait.ts";

const SEED = 4242;
const VICTIM = demoVictim(SEED);
/** The README's picture of the flag page: written when CONSOLE_SCREENSHOT names a file (e.g. docs/console-flag.png). */
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT;

interface FlagView {
  id: string;
  severity: string;
  status: string;
  reasons: { code: string; message: string }[];
  timeline: { type: string }[];
}

/** The page's own probe of who is signed in answers 401 before sign-in; anything else is a fault. */
function unexpected(errors: string[]): string[] {
  return errors.filter((e) => !/status of 401 .*\/v1\/me\)$/.test(e));
}

/** Form controls on the page without a label (by `<label for>`, wrapping label or aria-label). */
async function unlabelled(page: Page): Promise<string[]> {
  const missing: string[] = [];
  for (const control of await page.locator("input, select, textarea").all()) {
    const labelled = await control.evaluate(
      (el) =>
        ((el as unknown as { labels: { length: number } | null }).labels?.length ?? 0) > 0 ||
        (el as unknown as { hasAttribute(name: string): boolean }).hasAttribute("aria-label"),
    );
    if (!labelled)
      missing.push(await control.evaluate((el) => (el as unknown as { outerHTML: string }).outerHTML));
  }
  return missing;
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Queue", level: 1 }).waitFor();
}

describe("the analyst console in Chromium", () => {
  let vigil: TestVigil;
  let browser: Browser;
  let analystToken: string;
  let victimFlag: FlagView;
  const pages: WatchedPage[] = [];
  const open = async (options?: Parameters<typeof watchedPage>[2]) => {
    const watched = await watchedPage(browser, vigil.url, options);
    pages.push(watched);
    return watched;
  };

  beforeAll(async () => {
    [vigil, browser] = await Promise.all([startVigil(), launchChromium()]);
    analystToken = await vigil.token("analyst-1", "flags:read flags:write audit:read");
    await produce(
      vigil.topics.activity,
      demoStory({ seed: SEED, users: 60, days: 14, endAt: Date.now() - 60_000 }),
    );
    victimFlag = await waitFor(
      "the demo victim's critical flag",
      async () => {
        const { body } = await vigil.get(`/v1/flags?userId=${VICTIM}&minSeverity=critical`, analystToken);
        const found = body.items[0] as FlagView | undefined;
        return found
          ? ((await vigil.get(`/v1/flags/${found.id}`, analystToken)).body as FlagView)
          : undefined;
      },
      90_000,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await vigil?.stop();
  });

  it("signs in with a token, puts the victim's critical flag at the top, shows it and resolves it", async () => {
    const { page, problems } = await open({ timezoneId: "Asia/Tokyo" });
    await signIn(page, vigil.url, analystToken);
    expect(await page.evaluate(() => sessionStorage.getItem("vigil.token"))).toBe(analystToken);
    expect(page.url()).not.toContain(analystToken);

    const first = page.locator("table.queue tbody tr").first();
    await first.waitFor();
    expect(await unlabelled(page)).toEqual([]);
    expect(await first.getAttribute("data-flag-id")).toBe(victimFlag.id);
    expect(await first.locator(".badge").textContent()).toBe("critical");
    const critical = await page.locator(".count.sev-critical .count-number").textContent();
    expect(Number(critical)).toBeGreaterThanOrEqual(1);

    await first.getByRole("link", { name: VICTIM }).click();
    await page.getByRole("heading", { name: `Account ${VICTIM}`, level: 1 }).waitFor();
    // The reasons, in the engine's words.
    const reasons = page.locator(".reasons li .reason-text");
    expect(await reasons.allTextContents()).toEqual(victimFlag.reasons.map((r) => r.message));
    // The timeline: every event of the session, in the analyst's zone (Tokyo here).
    const timeline = page.locator(".timeline li");
    expect(await timeline.count()).toBe(victimFlag.timeline.length);
    expect(await timeline.first().locator(".tl-what").textContent()).toMatch(/^Signed in/);
    expect(await timeline.first().locator("time").textContent()).toContain("GMT+9");
    expect(await page.locator(".timeline .tl-deletion").count()).toBeGreaterThan(0);
    // The map: Natural Earth's countries, the usual places and the flagged login abroad.
    await page.locator("svg.map-svg path.map-land").waitFor();
    expect(await page.locator("svg.map-svg circle.map-flagged").count()).toBe(1);
    expect(await page.locator("svg.map-svg circle.map-usual").count()).toBeGreaterThan(0);
    expect(await page.locator(".novelty").textContent()).toContain("new to this account");

    expect(await unlabelled(page)).toEqual([]);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("radio", { name: /Compromised/ }).check();
    await page
      .getByLabel("Note for other analysts (optional)")
      .fill("Attacker from abroad; password reset sent");
    await page.getByRole("button", { name: "Resolve…" }).click();
    const dialog = page.getByRole("dialog", { name: "Mark this flag compromised?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Mark compromised" }).click();
    await page.locator("#resolution-result").waitFor();
    expect(await page.locator("#resolution-result").textContent()).toContain(
      "Resolved compromised by analyst-1",
    );
    expect(await page.locator("#flag-status").textContent()).toBe("Compromised");
    expect((await vigil.get(`/v1/flags/${victimFlag.id}`, analystToken)).body.status).toBe("compromised");

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    const entry = page
      .locator("table.audit tbody tr")
      .filter({ hasText: "POST /v1/flags/{id}/resolution" })
      .filter({ hasText: victimFlag.id });
    await entry.first().waitFor();
    expect(await entry.first().textContent()).toContain("analyst-1");
    expect(await entry.first().locator(".http").textContent()).toBe("200");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("vigil.token"))).toBeNull();
    expect(problems.outside).toEqual([]);
    expect(unexpected(problems.errors)).toEqual([]);
  });

  it("shows a flags:read token no resolve button and no audit page; the API refuses its forged resolve", async () => {
    const readerToken = await vigil.token("reader-1", "flags:read");
    const { page, problems } = await open();
    await signIn(page, vigil.url, readerToken);
    // By keyboard alone: Tab through the header, counts and filters to the first flag, Enter opens it.
    await page.locator("table.queue tbody tr").first().waitFor();
    const focusedClass = () =>
      page.evaluate(
        () =>
          (globalThis as { document?: { activeElement?: { className?: string } } }).document?.activeElement
            ?.className ?? "",
      );
    let tabs = 0;
    while ((await focusedClass()) !== "row-link" && tabs < 40) {
      await page.keyboard.press("Tab");
      tabs += 1;
    }
    expect(await focusedClass()).toBe("row-link");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: /^Account /, level: 1 }).waitFor();
    expect(
      await page.evaluate(
        () =>
          (globalThis as { document?: { activeElement?: { tagName?: string } } }).document?.activeElement
            ?.tagName,
      ),
    ).toBe("H1");

    await page.goto(`${vigil.url}/console#/flags/${encodeURIComponent(victimFlag.id)}`);
    await page.getByRole("heading", { name: `Account ${VICTIM}`, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Resolution" }).waitFor();
    expect(await page.getByRole("button", { name: /Resolve|Change verdict/ }).count()).toBe(0);
    expect(await page.getByRole("radio").count()).toBe(0);
    expect(await page.getByRole("link", { name: "Audit log" }).isVisible()).toBe(false);

    const forged = await fetch(`${vigil.url}/v1/flags/${victimFlag.id}/resolution`, {
      method: "POST",
      headers: { authorization: `Bearer ${readerToken}`, "content-type": "application/json" },
      body: JSON.stringify({ verdict: "legitimate" }),
    });
    expect(forged.status).toBe(403);
    expect((await vigil.get(`/v1/flags/${victimFlag.id}`, analystToken)).body.status).toBe("compromised");
    expect(problems.outside).toEqual([]);
    expect(unexpected(problems.errors)).toEqual([]);
  });

  it("is signed in by a reverse proxy's bearer header, with no token field and no sign-out", async () => {
    const { page, problems } = await open({ extraHTTPHeaders: { authorization: `Bearer ${analystToken}` } });
    await page.goto(`${vigil.url}/console`);
    await page.getByRole("heading", { name: "Queue", level: 1 }).waitFor();
    expect(await page.getByLabel("API token").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem("vigil.token"))).toBeNull();
    expect(problems.outside).toEqual([]);
    expect(problems.errors).toEqual([]);
  });

  it("stays responsive on 10,000 flags (figures printed, not asserted)", async () => {
    const sql = await openStore({ url: vigil.config.DATABASE_URL });
    const now = Date.now();
    try {
      for (let batch = 0; batch < 10; batch++) {
        const records: DetectedFlag[] = [];
        for (let i = 0; i < 1000; i++) {
          const n = batch * 1000 + i;
          const at = new Date(now - ((n * 7919) % (30 * 24 * 60)) * 60_000 - 3_600_000).toISOString();
          records.push({
            id: `bulk-${n}`,
            userId: `bulk-user-${n % 2000}`,
            sessionId: `bulk-session-${n}`,
            severity: SEVERITIES[n % 3] ?? "low",
            score: 20 + (n % 60),
            reasons: [
              { code: REASON_CODES[n % REASON_CODES.length] ?? "new_country", message: `Bulk flag ${n}` },
            ],
            location: { country: "FR", city: "Paris" },
            firstEventAt: at,
            lastEventAt: at,
            eventCount: 1,
          });
        }
        await upsertFlags(sql, records, new Date().toISOString());
      }
    } finally {
      await sql.close();
    }

    const { page, problems } = await open();
    const started = performance.now();
    await signIn(page, vigil.url, analystToken);
    await page.locator("table.queue tbody tr").nth(99).waitFor();
    const signedInToRows = performance.now() - started;
    const rendered = Number(await page.evaluate("document.body.dataset.queueRenderedMs"));
    const counts = await page.locator(".count-number").allTextContents();
    expect(counts.map((c) => Number(c.replace(/\D/g, ""))).reduce((a, b) => a + b, 0)).toBeGreaterThan(
      10_000,
    );

    const filter = async (apply: () => Promise<void>) => {
      await page.evaluate("delete document.body.dataset.queueFilteredMs");
      await apply();
      await page.locator("body[data-queue-filtered-ms]").waitFor({ state: "attached" });
      return Number(await page.evaluate("document.body.dataset.queueFilteredMs"));
    };
    const byReason = await filter(() =>
      page
        .getByLabel("Reason")
        .selectOption("impossible_travel")
        .then(() => {}),
    );
    const reasons = await page.locator("table.queue tbody tr .chip").allTextContents();
    expect(new Set(reasons)).toEqual(new Set(["Impossible travel"]));
    await filter(() => page.getByRole("button", { name: "Reset" }).click());
    const byUser = await filter(async () => {
      await page.getByLabel("Account").fill("bulk-user-7");
      await page.getByRole("button", { name: "Apply" }).click();
    });
    expect(new Set(await page.locator("table.queue tbody tr .row-link").allTextContents())).toEqual(
      new Set(["bulk-user-7"]),
    );

    await filter(() => page.getByRole("button", { name: "Reset" }).click());
    // CSS locators from here on: role queries walk the whole page, which is what grows here.
    const pageTimes: number[] = [];
    for (let pages = 2; pages <= 10; pages++) {
      await page.evaluate("delete document.body.dataset.queueMoreMs");
      await page.locator(".more button").click();
      await page.locator("body[data-queue-more-ms]").waitFor({ state: "attached" });
      pageTimes.push(Number(await page.evaluate("document.body.dataset.queueMoreMs")));
    }
    expect(await page.locator("table.queue tbody tr").count()).toBe(1000);
    const ranks = await page.locator("table.queue tbody tr .badge").allTextContents();
    const order = ranks.map((r) => ["low", "medium", "high", "critical"].indexOf(r));
    expect(order).toEqual([...order].sort((a, b) => b - a));

    console.log(
      [
        "console on 10,000 flags (Chromium, 1280x800):",
        `  sign-in to the first 100 rows: ${signedInToRows.toFixed(0)} ms (queue page ${rendered} ms)`,
        `  filter by reason: ${byReason} ms; filter by account: ${byUser} ms`,
        `  each further page of 100 (to 1,000 rows): ${pageTimes.join(", ")} ms`,
      ].join("\n"),
    );
    expect(problems.outside).toEqual([]);
    expect(unexpected(problems.errors)).toEqual([]);
  });
});
