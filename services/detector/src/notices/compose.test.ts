import { describe, expect, it } from "vitest";
import { composeNotice } from "./compose.ts";

const flag = {
  id: "f_1",
  userId: "u1",
  sessionId: "s1",
  firstEventAt: "2026-11-28T14:03:00.000Z",
  location: { country: "NG", region: "LA", city: "Lagos" },
  reasons: [
    { code: "risky_session_activity" as const, message: "Email changed in a risky session from 102.89.1.7" },
    { code: "new_country" as const, message: "Login from 102.89.1.7 in Lagos, Nigeria" },
    { code: "email_changed" as const, message: "Email changed" },
    { code: "mfa_disabled" as const, message: "MFA disabled" },
  ],
};

describe("composeNotice", () => {
  const notice = composeNotice(flag, "Chrome on Windows", "2026-11-28T14:05:00.000Z");

  it("names the approximate place, the time, the device family and what happened", () => {
    expect(notice.body).toContain("near Lagos, Nigeria");
    expect(notice.body).toContain("on Chrome on Windows");
    expect(notice.body).toContain("Sat, 28 Nov 2026 14:03:00 UTC");
    expect(notice.body).toContain("a change of your email address");
    expect(notice.flagged).toEqual(["new_country", "email_changed", "mfa_disabled"]);
    expect(notice.actions.join(" ")).toContain("two-step verification");
  });

  it("never carries the analyst's wording, addresses or links", () => {
    const text = JSON.stringify(notice);
    expect(text).not.toContain("102.89.1.7");
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);
  });

  it("has one id per flag, so a flag notifies its user once", () => {
    expect(composeNotice(flag, null, "2026-11-28T15:00:00.000Z").id).toBe(notice.id);
  });
});
