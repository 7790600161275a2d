import type { Rng } from "./random.ts";
import { hashHex } from "./random.ts";

// Real User-Agent strings of current browsers (late 2026 versions, in the reduced forms Chrome and
// Safari now send: Android reports "Android 10; K", iOS Safari freezes the OS at 18_6). Detectors
// parse these into device family → browser → OS, so the family and OS must be what the string says.

export type DeviceKind = "desktop" | "mobile" | "tablet" | "script";

export interface Agent {
  ua: string;
  browser: string;
  os: string;
  kind: DeviceKind;
}

const CHROME = "142.0.0.0";
const WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)";
const SAFARI_KIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)";

export const DESKTOP_AGENTS: readonly Agent[] = [
  {
    ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${WEBKIT} Chrome/${CHROME} Safari/537.36`,
    browser: "Chrome",
    os: "Windows",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${WEBKIT} Chrome/141.0.0.0 Safari/537.36`,
    browser: "Chrome",
    os: "Windows",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${WEBKIT} Chrome/${CHROME} Safari/537.36 Edg/142.0.0.0`,
    browser: "Edge",
    os: "Windows",
    kind: "desktop",
  },
  {
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
    browser: "Firefox",
    os: "Windows",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ${SAFARI_KIT} Version/26.1 Safari/605.1.15`,
    browser: "Safari",
    os: "macOS",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ${WEBKIT} Chrome/${CHROME} Safari/537.36`,
    browser: "Chrome",
    os: "macOS",
    kind: "desktop",
  },
  {
    ua: "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
    browser: "Firefox",
    os: "Linux",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (X11; Linux x86_64) ${WEBKIT} Chrome/${CHROME} Safari/537.36`,
    browser: "Chrome",
    os: "Linux",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) ${WEBKIT} Chrome/${CHROME} Safari/537.36`,
    browser: "Chrome",
    os: "ChromeOS",
    kind: "desktop",
  },
  {
    ua: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${WEBKIT} Chrome/141.0.0.0 Safari/537.36 OPR/124.0.0.0`,
    browser: "Opera",
    os: "Windows",
    kind: "desktop",
  },
];

export const MOBILE_AGENTS: readonly Agent[] = [
  {
    ua: `Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) ${SAFARI_KIT} Version/26.1 Mobile/15E148 Safari/604.1`,
    browser: "Mobile Safari",
    os: "iOS",
    kind: "mobile",
  },
  {
    ua: `Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) ${SAFARI_KIT} CriOS/142.0.7444.77 Mobile/15E148 Safari/604.1`,
    browser: "Chrome Mobile iOS",
    os: "iOS",
    kind: "mobile",
  },
  {
    ua: `Mozilla/5.0 (Linux; Android 10; K) ${WEBKIT} Chrome/${CHROME} Mobile Safari/537.36`,
    browser: "Chrome Mobile",
    os: "Android",
    kind: "mobile",
  },
  {
    ua: `Mozilla/5.0 (Linux; Android 10; K) ${WEBKIT} SamsungBrowser/29.0 Chrome/136.0.0.0 Mobile Safari/537.36`,
    browser: "Samsung Internet",
    os: "Android",
    kind: "mobile",
  },
  {
    ua: "Mozilla/5.0 (Android 16; Mobile; rv:145.0) Gecko/145.0 Firefox/145.0",
    browser: "Firefox Mobile",
    os: "Android",
    kind: "mobile",
  },
  {
    ua: `Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) ${SAFARI_KIT} Version/26.1 Mobile/15E148 Safari/604.1`,
    browser: "Mobile Safari",
    os: "iPadOS",
    kind: "tablet",
  },
];

/** What attackers' tooling sends: headless browsers and HTTP libraries. */
export const SCRIPT_AGENTS: readonly Agent[] = [
  { ua: "python-requests/2.32.5", browser: "python-requests", os: "Other", kind: "script" },
  { ua: "Go-http-client/1.1", browser: "Go-http-client", os: "Other", kind: "script" },
  { ua: "curl/8.16.0", browser: "curl", os: "Other", kind: "script" },
  { ua: "okhttp/4.12.0", browser: "okhttp", os: "Other", kind: "script" },
  {
    ua: `Mozilla/5.0 (X11; Linux x86_64) ${WEBKIT} HeadlessChrome/${CHROME} Safari/537.36`,
    browser: "HeadlessChrome",
    os: "Linux",
    kind: "script",
  },
];

// Rough market shares: Windows/Chrome dominates desktops, phones split between iOS and Android.
const DESKTOP_WEIGHTS = [30, 6, 12, 5, 14, 8, 3, 3, 3, 2];
const MOBILE_WEIGHTS = [40, 6, 34, 12, 3, 5];

function weightedAgent(rng: Rng, agents: readonly Agent[], weights: readonly number[]): Agent {
  return rng.weighted(agents.map((agent, i) => [agent, weights[i] ?? 1] as const));
}

export function pickDesktopAgent(rng: Rng): Agent {
  return weightedAgent(rng, DESKTOP_AGENTS, DESKTOP_WEIGHTS);
}

export function pickMobileAgent(rng: Rng): Agent {
  return weightedAgent(rng, MOBILE_AGENTS, MOBILE_WEIGHTS);
}

/** A phone of another OS than `current`: switching iPhone ↔ Android is the common "new phone". */
export function pickOtherMobileAgent(rng: Rng, current: Agent): Agent {
  return rng.pick(MOBILE_AGENTS.filter((agent) => agent.os !== current.os && agent.kind === "mobile"));
}

/** A device the platform recognises: stable id, fixed browser. */
export interface Device {
  id: string;
  agent: Agent;
}

/** deviceIds are opaque to the detector; hashing the owner's name makes them stable per seed. */
export function makeDevice(owner: string, label: string, agent: Agent): Device {
  return { id: `dev_${hashHex(`${owner}/${label}`, 96)}`, agent };
}
