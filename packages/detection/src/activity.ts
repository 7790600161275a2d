import type { ContentType, SettingsChanged } from "@vigil/events";
import type { DetectionConfig } from "./config.ts";
import type { ScoredReason } from "./flag.ts";
import { duration, listing, plural } from "./wording.ts";

/** Content actions of one session within the mass-action window: [at, content type, count]. */
export type ContentActions = Array<[at: number, type: ContentType, count: number]>;

const SETTING_WORDS: Partial<Record<SettingsChanged["setting"], string>> = {
  recovery_email: "recovery email",
  recovery_phone: "recovery phone",
};

/** Changes that hand the account to whoever makes them: each is a reason of its own. */
export function sensitiveChange(event: SettingsChanged, config: DetectionConfig): ScoredReason | null {
  const points = config.activity.points;
  const details = { setting: event.setting, action: event.action ?? "updated" };
  switch (event.setting) {
    case "email":
      return {
        code: "email_changed",
        points: points.email,
        message: "The account's email address was changed",
        details,
      };
    case "password":
      return {
        code: "password_changed",
        points: points.password,
        message: "The account's password was changed",
        details,
      };
    case "mfa":
      if (event.action !== "disabled" && event.action !== "removed") return null;
      return {
        code: "mfa_disabled",
        points: points.mfaDisabled,
        message: "Two-factor authentication was turned off",
        details,
      };
    case "recovery_email":
    case "recovery_phone": {
      const what = SETTING_WORDS[event.setting] as string;
      const verb = event.action === "removed" ? "removed" : event.action === "added" ? "added" : "changed";
      return {
        code: "recovery_changed",
        points: points.recovery,
        message: `The ${what} was ${verb}`,
        details,
      };
    }
    default:
      return null;
  }
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
  actions.push([at, type, items]);
  let newest = at;
  for (const action of actions) if (action[0] > newest) newest = action[0];
  while (actions.length > 0 && (actions[0] as ContentActions[number])[0] < newest - settings.massWindowMs) {
    actions.shift();
  }
  let weight = 0;
  let first = newest;
  const byType = new Map<ContentType, number>();
  for (const [time, what, n] of actions) {
    weight += n * settings.itemWeights[what];
    byType.set(what, (byType.get(what) ?? 0) + n);
    if (time < first) first = time;
  }
  const rule = kind === "deleted" ? settings.massDeletion : settings.massModification;
  if (weight < rule.items) return null;
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
