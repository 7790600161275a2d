import Bowser from "bowser";

/** What a User-Agent says about the device, versions dropped: versions change with every update. */
export interface DeviceInfo {
  browser: string;
  os: string;
  /** "Chrome on Windows": the unit of device novelty. */
  family: string;
  mobile: boolean;
}

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
  const browser = parsed.browser.name || "Other browser";
  const os = parsed.os.name || "Other OS";
  const type = parsed.platform.type;
  return Object.freeze({
    browser,
    os,
    family: `${browser} on ${os}`,
    mobile: type === "mobile" || type === "tablet",
  });
}
