// Words and times as the analyst reads them: times in the analyst's own time zone.

export const SEVERITIES = ["critical", "high", "medium", "low"];

export const REASON_LABELS = {
  new_country: "New country",
  new_region: "New region",
  new_network: "New network",
  new_device: "New device",
  impossible_travel: "Impossible travel",
  brute_force: "Password guessing",
  password_spray: "Password spray",
  credential_stuffing: "Credential stuffing",
  email_changed: "Email changed",
  password_changed: "Password changed",
  mfa_disabled: "Two-step turned off",
  recovery_changed: "Recovery changed",
  mass_deletion: "Mass deletion",
  mass_modification: "Mass modification",
  risky_session_activity: "Risky session",
};

export const STATUS_LABELS = { open: "Open", compromised: "Compromised", legitimate: "Legitimate" };

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const fullTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});
const shortTime = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const clockTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });
const regionNames = new Intl.DisplayNames(undefined, { type: "region" });

export const formatTime = (iso) => fullTime.format(new Date(iso));
export const formatShortTime = (iso) => shortTime.format(new Date(iso));
export const formatClock = (iso) => clockTime.format(new Date(iso));

const UNITS = [
  ["second", 1, 60],
  ["minute", 60, 3600],
  ["hour", 3600, 86400 * 2],
  ["day", 86400, 86400 * 60],
  ["month", 86400 * 30, Number.POSITIVE_INFINITY],
];

/** "5 min ago", "3 days ago": the largest unit that keeps the number readable. */
export function ago(iso, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  const [unit, size] = UNITS.find(([, , below]) => Math.abs(seconds) < below);
  return relative.format(Math.round(seconds / size), unit);
}

export function countryName(code) {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export function placeLabel(place) {
  if (!place) return "Unknown place";
  const country = countryName(place.country);
  return place.city ? `${place.city}, ${country}` : country;
}

const SETTING_WORDS = {
  email: "email address",
  password: "password",
  mfa: "two-step verification",
  recovery_email: "recovery email",
  recovery_phone: "recovery phone",
  phone: "phone number",
};

function settingWords(setting) {
  return SETTING_WORDS[setting] ?? String(setting).replaceAll("_", " ");
}

/** One timeline event in words: "Signed in with a password, with two-step". */
export function describeEvent(event) {
  const d = event.detail ?? {};
  switch (event.type) {
    case "login.succeeded": {
      const how = d.method ? ` with ${d.method === "sso" ? "single sign-on" : `a ${d.method}`}` : "";
      const mfa = d.mfa === true ? ", two-step passed" : d.mfa === false ? ", no two-step" : "";
      return `Signed in${how}${mfa}`;
    }
    case "login.failed":
      return `Failed sign-in${d.reason ? ` (${String(d.reason).replaceAll("_", " ")})` : ""}`;
    case "settings.changed": {
      const action = d.action ?? "updated";
      return `${capitalise(settingWords(d.setting))} ${action}`;
    }
    case "content.deleted":
      return `Deleted ${d.count ?? "some"} ${plural(d.contentType, d.count)}`;
    case "content.modified":
      return `Modified ${d.count ?? "some"} ${plural(d.contentType, d.count)}`;
    case "session.ended":
      return `Session ended${d.reason ? ` (${String(d.reason).replaceAll("_", " ")})` : ""}`;
    default:
      return event.type;
  }
}

/** The kind of a timeline event, for its marker: login, change, deletion, end, other. */
export function eventKind(type) {
  if (type.startsWith("login.")) return type === "login.failed" ? "failure" : "login";
  if (type === "settings.changed") return "change";
  if (type === "content.deleted") return "deletion";
  if (type === "content.modified") return "change";
  if (type === "session.ended") return "end";
  return "other";
}

function plural(word = "item", count) {
  const text = word === "other" ? "item" : String(word).replaceAll("_", " ");
  return count === 1 ? text : `${text}s`;
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const number = new Intl.NumberFormat();
