import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (scripts/chromium.sh installs it); CHROMIUM_PATH names another one. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `no Chromium at ${path}: scripts/test.sh installs it (scripts/chromium.sh), or set CHROMIUM_PATH`,
    );
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: the tests run as root in CI containers, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}

/** What a page did that it must not: requests to another origin (refused) and console errors. */
export interface PageProblems {
  outside: string[];
  errors: string[];
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

/**
 * A fresh browser context (its own sessionStorage) at 1280×800 in `timezoneId`, in which every
 * request to an origin other than `origin` is recorded and refused, and every console error and
 * uncaught exception is recorded.
 */
export async function watchedPage(
  browser: Browser,
  origin: string,
  options: { timezoneId?: string; extraHTTPHeaders?: Record<string, string> } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-GB",
    timezoneId: options.timezoneId ?? "Europe/London",
    ...(options.extraHTTPHeaders ? { extraHTTPHeaders: options.extraHTTPHeaders } : {}),
  });
  const problems: PageProblems = { outside: [], errors: [] };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    problems.outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.errors.push(error.message));
  return { page, context, problems };
}
