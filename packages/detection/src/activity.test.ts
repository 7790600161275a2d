import type { SettingsChanged } from "@vigil/events";
import { describe, expect, it } from "vitest";
import { type ContentActions, massAction, sensitiveChange } from "./activity.ts";
import { defaultDetectionConfig as config } from "./config.ts";
import { MINUTE, T0 } from "./testing.ts";

const change = (setting: SettingsChanged["setting"], action?: SettingsChanged["action"]) =>
  sensitiveChange(
    {
      id: "e",
      type: "settings.changed",
      occurredAt: "",
      userId: "u1",
      sessionId: "s",
      setting,
      ...(action ? { action } : {}),
    },
    config,
  );

describe("sensitiveChange", () => {
  it("names each sensitive setting with its own code", () => {
    expect(change("email", "updated")?.reason.code).toBe("email_changed");
    expect(change("password")?.reason.code).toBe("password_changed");
    expect(change("mfa", "disabled")?.reason.code).toBe("mfa_disabled");
    expect(change("mfa", "removed")?.reason.code).toBe("mfa_disabled");
    expect(change("recovery_email", "updated")?.reason).toMatchObject({
      code: "recovery_changed",
      message: "The recovery email was changed",
    });
    expect(change("recovery_phone", "added")?.reason.message).toBe("The recovery phone was added");
  });

  it("scores the settings an intruder uses to stay in", () => {
    expect(change("api_token", "added")?.reason).toMatchObject({
      code: "api_token_changed",
      message: "An API access token was created for the account",
    });
    expect(change("username", "updated")?.reason.code).toBe("username_changed");
    expect(change("privacy", "updated")?.reason.code).toBe("privacy_changed");
    expect(change("mfa", "updated")?.reason).toMatchObject({
      code: "mfa_changed",
      message: "The two-factor method was replaced",
    });
    expect(change("mfa", "added")?.reason.message).toBe("A two-factor method was added");
  });

  it("tells additive changes (securing the account) from those that hand it over", () => {
    const additive = (setting: SettingsChanged["setting"], action?: SettingsChanged["action"]) =>
      change(setting, action)?.additive;
    expect(additive("password")).toBe(true);
    expect(additive("mfa", "enabled")).toBe(true);
    expect(additive("mfa", "added")).toBe(true);
    expect(additive("recovery_phone", "added")).toBe(true);
    // A new phone moves the recovery phone and the authenticator with it.
    expect(additive("recovery_phone", "updated")).toBe(true);
    expect(additive("mfa", "updated")).toBe(true);
    expect(additive("recovery_email", "updated")).toBe(false);
    expect(additive("recovery_phone", "removed")).toBe(false);
    expect(additive("email", "added")).toBe(false);
    expect(additive("api_token", "added")).toBe(false);
  });

  it("ignores harmless settings and revoking a token", () => {
    expect(change("profile")).toBeNull();
    expect(change("other")).toBeNull();
    expect(change("api_token", "removed")).toBeNull();
  });
});

describe("massAction", () => {
  const { items } = config.activity.massDeletion;

  it("is quiet just under the item threshold and flags at it", () => {
    const actions: ContentActions = [];
    expect(massAction(actions, "deleted", T0, "photo", items - 1, config)).toBeNull();
    const reason = massAction(actions, "deleted", T0 + 6 * MINUTE, "photo", 1, config);
    expect(reason).toMatchObject({
      code: "mass_deletion",
      message: `${items} photos deleted in 6 min in this session`,
    });
  });

  it("weighs albums as many photos", () => {
    const albums = Math.ceil(items / config.activity.itemWeights.album);
    expect(massAction([], "deleted", T0, "album", albums - 1, config)).toBeNull();
    const reason = massAction([], "deleted", T0, "album", albums, config);
    expect(reason?.message).toBe(`${albums} albums deleted in 0 min in this session`);
  });

  it("forgets actions older than the window", () => {
    const actions: ContentActions = [];
    massAction(actions, "deleted", T0, "photo", items - 1, config);
    expect(
      massAction(actions, "deleted", T0 + config.activity.massWindowMs + 1, "photo", 1, config),
    ).toBeNull();
  });

  it("flags mass modification at its own threshold", () => {
    const n = config.activity.massModification.items;
    expect(massAction([], "modified", T0, "photo", n - 1, config)).toBeNull();
    expect(massAction([], "modified", T0, "photo", n, config)?.code).toBe("mass_modification");
  });
});

describe("kept content actions", () => {
  it("stay bounded by minutes and kinds however many actions an hour brings", () => {
    const actions: ContentActions = [];
    for (let i = 0; i < 20_000; i++) {
      massAction(
        actions,
        "deleted",
        T0 + Math.floor((i * 3_600_000) / 20_000),
        i % 2 ? "photo" : "comment",
        1,
        config,
      );
    }
    expect(actions.length).toBeLessThanOrEqual(2 * 60 + 1);
    expect(actions.reduce((sum, a) => sum + a[2], 0)).toBeGreaterThan(19_000);
  });
});
