import type { FlagUpdate } from "@vigil/detection";
import type { AccountEvent, Severity } from "@vigil/events";
import { describe, expect, it } from "vitest";
import type { LabelledEvent } from "../types.ts";
import { aggregate, percentile } from "./metrics.ts";

const at = "2026-11-10T10:00:00Z";
function labelled(
  scenario: string,
  attack: boolean,
  userId: string,
  sessionId: string,
  events = 2,
): LabelledEvent[] {
  const login = {
    id: `${sessionId}-0`,
    type: "login.succeeded",
    occurredAt: at,
    userId,
    sessionId,
    ip: "192.0.2.1",
  };
  const rest = Array.from({ length: events - 1 }, (_, i) => ({
    id: `${sessionId}-${i + 1}`,
    type: "settings.changed",
    occurredAt: at,
    userId,
    sessionId,
    setting: "email",
  }));
  return [login, ...rest].map((event) => ({
    event: event as AccountEvent,
    label: { scenario, attack, actor: attack ? "atk" : scenario, userId, sessionId },
  }));
}

function update(
  userId: string,
  sessionId: string | null,
  severity: Severity,
  eventCount: number,
  created = false,
): FlagUpdate {
  return {
    id: `f_${userId}_${sessionId}`,
    userId,
    sessionId,
    severity,
    score: 50,
    reasons: [{ code: "brute_force", message: "m" }],
    location: null,
    firstEventAt: at,
    lastEventAt: at,
    eventCount,
    created,
  };
}

describe("aggregate", () => {
  const events = [
    ...labelled("takeover_abroad", true, "v1", "a1", 3),
    ...labelled("takeover_abroad", true, "v2", "a2", 3),
    ...labelled("home_user", false, "u1", "b1"),
    ...labelled("home_user", false, "u2", "b2"),
    ...labelled("home_user", false, "u3", "b3"),
    ...labelled("home_user", false, "u4", "b4"),
  ];
  const updates = [
    update("v1", "a1", "medium", 1, true),
    update("v1", "a1", "high", 2),
    update("v1", "a1", "critical", 3),
    update("v2", "a2", "medium", 1, true),
    update("u1", "b1", "medium", 1, true),
    update("u2", "b2", "high", 1, true),
    update("u3", "b3", "low", 1, true),
    update("u9", null, "medium", 10, true),
    update("u9", null, "medium", 11),
  ];
  const report = aggregate(events, updates);

  it("counts attack sessions caught at high or above, per scenario and overall", () => {
    const takeover = report.scenarios.find((q) => q.scenario === "takeover_abroad");
    expect(takeover).toMatchObject({ attackSessions: 2, caught: 1, recall: 0.5 });
    expect(report.overall.recall).toBe(0.5);
  });

  it("counts benign sessions by the highest severity their flag reached", () => {
    expect(report.overall).toMatchObject({
      benignSessions: 4,
      benignFlagged: 3,
      benignMedium: 2,
      benignHigh: 1,
    });
    expect(report.benignNotices).toBe(1);
  });

  it("measures time to detection as the session's events until its flag reached high", () => {
    expect(report.overall.eventsToHigh).toEqual({ median: 2, p95: 2, max: 2 });
  });

  it("counts sessionless flags once, when created", () => {
    expect(report.sessionless).toEqual({ brute_force: { medium: 1 } });
  });
});

describe("aggregate, attacks of several sessions and mixed sessions", () => {
  const relabel = (items: LabelledEvent[], change: Partial<LabelledEvent["label"]>, from = 0) =>
    items.map((item, i) => (i >= from ? { ...item, label: { ...item.label, ...change } } : item));
  // Laundering: one attacker, two sessions on one account; only the second is caught.
  const laundering = [
    ...relabel(labelled("laundering", true, "v1", "q1"), { actor: "atk_1" }),
    ...relabel(labelled("laundering", true, "v1", "d1", 3), { actor: "atk_1" }),
    ...relabel(labelled("laundering", true, "v2", "q2"), { actor: "atk_2" }),
    ...relabel(labelled("laundering", true, "v2", "d2", 3), { actor: "atk_2" }),
  ];
  // A stolen cookie: the owner's login and edit, then the attacker's events in the same session.
  const replay = relabel(
    labelled("cookie_replay", false, "v3", "s3", 4),
    { attack: true, actor: "atk_3" },
    2,
  );
  // A VPN user: one ordinary session, two that show the behaviour.
  const vpn = [
    ...labelled("vpn_user", false, "u1", "h1"),
    ...relabel(labelled("vpn_user", false, "u1", "f1"), { focus: true }),
    ...relabel(labelled("vpn_user", false, "u1", "f2"), { focus: true }),
  ];
  const report = aggregate(
    [...laundering, ...replay, ...vpn],
    [
      update("v1", "d1", "high", 2, true),
      update("v2", "q2", "medium", 1, true),
      update("v3", "s3", "critical", 3, true),
      update("u1", "f1", "high", 1, true),
      update("u1", "h1", "low", 1, true),
      update("u1", null, "high", 5, true),
    ],
  );
  const row = (name: string) => report.scenarios.find((q) => q.scenario === name);

  it("counts an attack once, caught when any of its sessions reached high", () => {
    expect(row("laundering")).toMatchObject({
      attacks: 2,
      attackSessions: 4,
      caught: 1,
      onlyMedium: 1,
      recall: 0.5,
    });
  });

  it("counts a session with any of the attacker's events as an attack session, in the attack's row", () => {
    expect(row("cookie_replay")).toMatchObject({ attacks: 1, caught: 1, benignSessions: 0 });
  });

  it("reports the sessions that show a persona's behaviour apart, and account-level notices", () => {
    expect(row("vpn_user")).toMatchObject({
      benignSessions: 3,
      benignFlagged: 2,
      benignHigh: 1,
      focusSessions: 2,
      focusMedium: 1,
      focusHigh: 1,
      accountNotices: 1,
    });
    expect(report.benignNotices).toBe(2);
  });
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(percentile([7], 0.5)).toBe(7);
  });
});
