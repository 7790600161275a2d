import type { ContentType, SettingsChanged } from "@vigil/events";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import { duration, listing, plural } from "./wording.ts";

const MINUTE = 60_000;

/** Content actions of one session within the mass-action window: [at, content type, count]. */
export type ContentActions = Array<[at: number, type: ContentType, count: number]>;

const SETTING_WORDS: Partial<Record<SettingsChanged["setting"], string>> = {
  recovery_email: "recovery email",
  recovery_phone: "recovery phone",
};

/** A sensitive change and whether it only adds protection (what owners do to secure an account). */
export interface Change {
  reason: ScoredReason;
  /**
   * What owners do every day to secure their account or move it to a new phone (a new password,
   * MFA or recovery contact added, the authenticator or recovery phone moved, privacy settings):
   * it escalates only in a seriously risky session.
   */
  additive: boolean;
}

/**
 * Changes that hand the account to whoever makes them, or keep an intruder in (a token, a second
 * factor of their own, a username or privacy setting that hides the account): each is a reason of
 * its own. Adding protection is additive, and so is moving it with a new phone; handing over the
 * address resets go to, or removing protection, is not.
 */
export function sensitiveChange(event: SettingsChanged, config: DetectionConfig): Change | null {
  const points = config.activity.points;
  const action = event.action ?? "updated";
  const details = { setting: event.setting, action };
  const added = action === "added" || action === "enabled";
  switch (event.setting) {
    case "email":
      return change("email_changed", points.email, "The account's email address was changed", details);
    case "password":
      return change("password_changed", points.password, "The account's password was changed", details, true);
    case "mfa":
      if (action === "disabled" || action === "removed") {
        return change(
          "mfa_disabled",
          points.mfaDisabled,
          "Two-factor authentication was turned off",
          details,
        );
      }
      return added
        ? change("mfa_changed", points.mfaAdded, "A two-factor method was added", details, true)
        : change("mfa_changed", points.mfaChanged, "The two-factor method was replaced", details, true);
    case "recovery_email":
    case "recovery_phone": {
      const what = SETTING_WORDS[event.setting] as string;
      const verb = action === "removed" ? "removed" : action === "added" ? "added" : "changed";
      return change(
        "recovery_changed",
        points.recovery,
        `The ${what} was ${verb}`,
        details,
        action === "added" || (event.setting === "recovery_phone" && action !== "removed"),
      );
    }
    case "api_token":
      if (action === "removed" || action === "disabled") return null;
      return change(
        "api_token_changed",
        points.apiToken,
        "An API access token was created for the account",
        details,
      );
    case "username":
      return change("username_changed", points.username, "The account's username was changed", details);
    case "privacy":
      // Owners change it often: like an additive change, it escalates only in a seriously risky session.
      return change(
        "privacy_changed",
        points.privacy,
        "The account's privacy settings were changed",
        details,
        true,
      );
    default:
      return null;
  }
}

function change(
  code: ScoredReason["code"],
  points: number,
  message: string,
  details: Record<string, unknown>,
  additive = false,
): Change {
  return { reason: { code, points, message, details }, additive };
}

/**
 * Adds a content action to the session's window and tells whether the window now holds a mass
 * action. Items are weighted by kind (an album holds many photos), so the threshold reads as photos.
 */
export function massAction(
  actions: ContentActions,
  kind: "deleted" | "modified",
  at: number,
  type: ContentType,
  items: number,
  config: DetectionConfig,
): ScoredReason | null {
  const settings = config.activity;
  // One entry per minute and kind at most: the window stays bounded however fast actions come.
  const minute = Math.floor(at / MINUTE);
  let same: ContentActions[number] | undefined;
  for (let i = actions.length - 1; i >= 0 && same === undefined; i--) {
    const action = actions[i] as ContentActions[number];
    if (Math.floor(action[0] / MINUTE) !== minute) break;
    if (action[1] === type) same = action;
  }
  if (same !== undefined) {
    same[2] += items;
    if (at > same[0]) same[0] = at;
  } else actions.push([at, type, items]);
  let newest = at;
  for (const action of actions) if (action[0] > newest) newest = action[0];
  while (actions.length > 0 && (actions[0] as ContentActions[number])[0] < newest - settings.massWindowMs) {
    actions.shift();
  }
  let weight = 0;
  let first = newest;
  // Indexed, not destructured: destructuring walks an iterator, and this runs on every content action.
  for (const action of actions) {
    weight += action[2] * settings.itemWeights[action[1]];
    if (action[0] < first) first = action[0];
  }
  const rule = kind === "deleted" ? settings.massDeletion : settings.massModification;
  // Most actions are far below the threshold: the words are built only for one that is not.
  if (weight < rule.items) return null;
  const byType = new Map<ContentType, number>();
  for (const [, what, n] of actions) byType.set(what, (byType.get(what) ?? 0) + n);
  const counts = [...byType].sort((a, b) => b[1] - a[1]).map(([what, n]) => plural(n, what));
  return {
    code: kind === "deleted" ? "mass_deletion" : "mass_modification",
    points: rule.points,
    message: `${listing(counts, "kind", 3)} ${kind} in ${duration(newest - first)} in this session`,
    details: {
      items: Object.fromEntries(byType),
      weightedItems: weight,
      minutes: Math.round((newest - first) / 60_000),
    },
  };
}
