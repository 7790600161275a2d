import type { Flag, Location, Notice, ReasonCode } from "@vigil/events";

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** What a user can do about each kind of signal, inside the product (never a link). */
const ACTIONS = {
  review: "Open the app and go to Settings › Security › Recent activity to review your sessions.",
  signOut: "If this wasn't you, choose “Sign out everywhere” there and change your password.",
  recovery: "Check that your email address, recovery email and phone number are still yours.",
  mfa: "Turn two-step verification back on in Settings › Security.",
  content: "Deleted albums and photos can be restored from Settings › Trash for 30 days.",
} as const;

const WHAT: Partial<Record<ReasonCode, string>> = {
  new_country: "a sign-in from a country you have not used before",
  new_region: "a sign-in from a new area",
  new_network: "a sign-in from a new network",
  new_device: "a sign-in from a new device",
  impossible_travel: "sign-ins from places too far apart for the time between them",
  brute_force: "many failed attempts to guess your password",
  mfa_failed: "a sign-in with your correct password that was stopped only by two-step verification",
  password_spray: "sign-in attempts that are part of an attack on many accounts",
  credential_stuffing: "sign-in attempts with passwords leaked from other sites",
  email_changed: "a change of your email address",
  password_changed: "a change of your password",
  mfa_disabled: "two-step verification being turned off",
  recovery_changed: "a change of your account recovery details",
  mass_deletion: "many photos or albums being deleted",
  mass_modification: "many photos or albums being changed",
  session_context_changed: "your signed-in session being used from another place or device",
  mfa_changed: "a new two-step verification method",
  api_token_changed: "a new access token for your account",
  username_changed: "a change of your username",
  privacy_changed: "a change of your privacy settings",
};

export function placeName(location: Location | null): string | null {
  if (location === null) return null;
  const country = regionNames.of(location.country) ?? location.country;
  // Region codes from geolocation data mean little to people; city and country do.
  return location.city ? `${location.city}, ${country}` : country;
}

/**
 * The notice for a flag. It goes through third-party mail providers, so it names only the
 * approximate place, the time, the device family and what happened: no address, token or link.
 */
export function composeNotice(
  flag: Pick<Flag, "id" | "userId" | "sessionId" | "reasons" | "location" | "firstEventAt">,
  device: string | null,
  now: string,
): Notice {
  const flagged = flag.reasons.map((reason) => reason.code).filter((code) => code in WHAT);
  const place = placeName(flag.location);
  const when = new Date(flag.firstEventAt).toUTCString().replace("GMT", "UTC");
  const what = flagged.slice(0, 3).map((code) => WHAT[code]);
  const actions: string[] = [ACTIONS.review, ACTIONS.signOut];
  if (flagged.some((c) => c === "email_changed" || c === "recovery_changed" || c === "password_changed")) {
    actions.push(ACTIONS.recovery);
  }
  if (flagged.includes("mfa_disabled")) actions.push(ACTIONS.mfa);
  if (flagged.includes("mass_deletion") || flagged.includes("mass_modification"))
    actions.push(ACTIONS.content);
  const where = place ? ` near ${place}` : "";
  const on = device ? ` on ${device}` : "";
  return {
    id: `n_${flag.id}`,
    userId: flag.userId,
    flagId: flag.id,
    sessionId: flag.sessionId,
    occurredAt: flag.firstEventAt,
    createdAt: now,
    location: flag.location,
    device,
    flagged,
    title: "Unusual activity on your account",
    body: `We noticed activity on your account${where}${on} on ${when} that did not look like you: ${what.join("; ")}. If it was you, you can tell us in the app and nothing else is needed.`,
    actions,
    response: null,
  };
}
