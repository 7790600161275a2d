import Bowser from "bowser";

/**
 * What a User-Agent says about the device, versions dropped: versions change with every update.
 * Every name is one of Vigil's own words (below), never text of the User-Agent: these names reach
 * users' notices and analysts' flag reasons, and a User-Agent is whatever the sender wrote.
 */
export interface DeviceInfo {
  browser: string;
  os: string;
  /** "Chrome on Windows": the unit of device novelty. */
  family: string;
  mobile: boolean;
}

/** The name of a browser, system or device not in the vocabulary. */
export const UNKNOWN_BROWSER = "another browser";
export const UNKNOWN_OS = "another system";
export const UNKNOWN_DEVICE = "an unknown device";

/**
 * Browsers Vigil names, as the parser names them (the same words profiles learned before this
 * vocabulary existed, so no known device turns new).
 */
const BROWSERS: ReadonlySet<string> = new Set([
  "Chrome",
  "Chromium",
  "Firefox",
  "Focus",
  "Safari",
  "Microsoft Edge",
  "Opera",
  "Opera Coast",
  "Samsung Internet for Android",
  "Yandex Browser",
  "UC Browser",
  "Vivaldi",
  "Brave",
  "Internet Explorer",
  "Android Browser",
  "DuckDuckGo",
  "NAVER Whale Browser",
  "QQ Browser",
  "WeChat",
  "Electron",
  "Amazon Silk",
  "Vivo Browser",
  "HeyTap Browser",
  "MZ Browser",
  "Sogou Browser",
  "Maxthon",
  "Puffin",
  "Pale Moon",
  "SeaMonkey",
  "LibreWolf",
  "Epiphany",
  "PhantomJS",
]);

/** Operating systems Vigil names, as the parser names them. */
const SYSTEMS: ReadonlySet<string> = new Set([
  "Windows",
  "macOS",
  "iOS",
  "Android",
  "Linux",
  "Chrome OS",
  "HarmonyOS",
  "Windows Phone",
  "Tizen",
  "WebOS",
  "BlackBerry",
  "PlayStation 4",
  "Roku",
]);

/**
 * HTTP tools and libraries, recognised by the product token a User-Agent starts with (the parser
 * knows none of them): automation is itself telling, so each keeps a name of its own.
 */
const TOOLS: ReadonlyMap<string, string> = new Map([
  ["curl", "curl"],
  ["wget", "Wget"],
  ["python-requests", "Python requests"],
  ["python-urllib", "Python urllib"],
  ["python-httpx", "Python httpx"],
  ["aiohttp", "Python aiohttp"],
  ["go-http-client", "Go HTTP client"],
  ["okhttp", "OkHttp"],
  ["java", "Java"],
  ["apache-httpclient", "Apache HttpClient"],
  ["axios", "axios"],
  ["node-fetch", "node-fetch"],
  ["undici", "Node.js undici"],
  ["postmanruntime", "Postman"],
  ["libwww-perl", "Perl LWP"],
]);

// The same few hundred User-Agents make up nearly all traffic, and parsing one costs tens of
// microseconds: remember the answers, forgetting them all when the memory is full (cheap, bounded).
const MEMO_LIMIT = 2048;
const memo = new Map<string, DeviceInfo | null>();

/** Browser and OS family of a raw User-Agent; null when there is none to parse. */
export function deviceInfo(userAgent: string | undefined): DeviceInfo | null {
  if (userAgent === undefined) return null;
  const known = memo.get(userAgent);
  if (known !== undefined) return known;
  const info = parse(userAgent);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(userAgent, info);
  return info;
}

function parse(userAgent: string): DeviceInfo | null {
  if (userAgent.trim() === "") return null;
  const parsed = Bowser.parse(userAgent);
  const tool = TOOLS.get(/^\s*([A-Za-z][\w.-]*)/.exec(userAgent)?.[1]?.toLowerCase() ?? "");
  const named = parsed.browser.name ?? "";
  const browser = tool ?? (BROWSERS.has(named) ? named : UNKNOWN_BROWSER);
  const os = SYSTEMS.has(parsed.os.name ?? "") ? (parsed.os.name as string) : UNKNOWN_OS;
  const type = parsed.platform.type;
  return Object.freeze({
    browser,
    os,
    family: familyName(browser, os, tool !== undefined),
    mobile: type === "mobile" || type === "tablet",
  });
}

function familyName(browser: string, os: string, tool: boolean): string {
  if (tool && os === UNKNOWN_OS) return browser;
  if (browser === UNKNOWN_BROWSER && os === UNKNOWN_OS) return UNKNOWN_DEVICE;
  return `${browser} on ${os}`;
}

const browserWords = new Set([...BROWSERS, ...TOOLS.values(), UNKNOWN_BROWSER]);
const systemWords = new Set([...SYSTEMS, UNKNOWN_OS]);

/**
 * True when `family` is made of Vigil's words only: what a profile stored before this vocabulary
 * existed may hold User-Agent text, and such a family is not named to anyone.
 */
export function isFamilyName(family: string): boolean {
  if (family === UNKNOWN_DEVICE || browserWords.has(family)) return true;
  const at = family.lastIndexOf(" on ");
  return at > 0 && browserWords.has(family.slice(0, at)) && systemWords.has(family.slice(at + 4));
}
