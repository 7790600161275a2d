import { describe, expect, it } from "vitest";
import { assemble, MINUTE, Story } from "./story.ts";

const owner = { scenario: "home_user", attack: false, actor: "home_user" };
const thief = { scenario: "cookie_replay", attack: true, actor: "atk_1" };
const at = Date.parse("2026-11-10T10:00:00Z");

describe("Session", () => {
  it("stamps each action `after` the previous one", () => {
    const story = new Story("t/clock");
    const session = story.login(at, owner, "u1", { ip: "192.0.2.1" });
    session
      .modify(MINUTE, "photo")
      .delete(2 * MINUTE, "photo")
      .change(3 * MINUTE, "profile")
      .end(MINUTE, "logout");
    const times = assemble(story.drafts).map((i) => (Date.parse(i.event.occurredAt) - at) / MINUTE);
    expect(times).toEqual([0, 1, 3, 6, 7]);
  });

  it("shares its id and clock with a replayed cookie, whose events carry their own address and label", () => {
    const story = new Story("t/replay");
    const session = story.login(at, owner, "u1", { ip: "192.0.2.1", deviceId: "d1" });
    session.modify(MINUTE, "photo");
    session.replayedBy(thief, { ip: "198.51.100.7", deviceId: "d1" }).change(MINUTE, "password");
    session.end(MINUTE, "logout");
    const events = assemble(story.drafts);
    expect(events.map((i) => [i.event.type, i.event.sessionId, i.event.ip, i.label.attack])).toEqual([
      ["login.succeeded", session.id, "192.0.2.1", false],
      ["content.modified", session.id, "192.0.2.1", false],
      ["settings.changed", session.id, "198.51.100.7", true],
      ["session.ended", session.id, "192.0.2.1", false],
    ]);
    expect(events.map((i) => (Date.parse(i.event.occurredAt) - at) / MINUTE)).toEqual([0, 1, 2, 3]);
  });

  it("opens a session from before the stream without a login event", () => {
    const story = new Story("t/earlier");
    story.openedEarlier(at, thief, "u1", { ip: "198.51.100.7" }).change(MINUTE, "recovery_email");
    expect(assemble(story.drafts).map((i) => i.event.type)).toEqual(["settings.changed"]);
  });
});
