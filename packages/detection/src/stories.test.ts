// Takeovers as attackers run them, and owners as they really behave: what an analyst reads.
import type { AccountEventInput } from "@vigil/events";
import type { Asn, Place } from "@vigil/geo";
import { describe, expect, it } from "vitest";
import { defaultDetectionConfig } from "./config.ts";
import { applyFeedback } from "./feedback.ts";
import type { FlagUpdate } from "./flag.ts";
import type { Observation } from "./observation.ts";
import { emptyPopulation, type PopulationState } from "./population.ts";
import {
  DAY,
  event,
  HOUR,
  history,
  type LoginOptions,
  loginObs,
  MINUTE,
  observed,
  PLACES,
  sessionObs,
  T0,
  UA,
} from "./testing.ts";
import { observeUser } from "./user.ts";
import { initialUserState, type UserState } from "./userState.ts";

const TELEKOM: Asn = { number: 3320, org: "Deutsche Telekom AG" };
const MTN: Asn = { number: 29465, org: "MTN Nigeria" };
const LAGOS = { place: PLACES.lagos, network: "41.58.1.0/24", asn: MTN };

type Fields = Partial<AccountEventInput> & { type: AccountEventInput["type"] };

/** An in-session event that carries the address, user agent and device id it came from. */
function from(
  at: number,
  sessionId: string,
  fields: Fields,
  where: { place: Place; network: string; asn?: Asn | null },
  device: { userAgent?: string; deviceId?: string } = {},
): Observation {
  const e = event(at, {
    userId: "u1",
    sessionId,
    ip: "192.0.2.77",
    userAgent: device.userAgent ?? UA.chromeWindows,
    deviceId: device.deviceId ?? "laptop-1",
    ...fields,
  });
  return observed(e, where);
}

function settled(): { state: UserState; population: PopulationState; t: number } {
  const population = emptyPopulation();
  const { state, end } = history(40, population);
  return { state, population, t: end + DAY };
}

function replay(
  state: UserState,
  population: PopulationState,
  observations: Observation[],
): (FlagUpdate | undefined)[] {
  return observations.map((obs) => observeUser(state, population, obs).flags[0]);
}

const codes = (flag: FlagUpdate | undefined) => flag?.reasons.map((r) => r.code) ?? [];
const message = (flag: FlagUpdate | undefined, code: string) =>
  flag?.reasons.find((r) => r.code === code)?.message;

describe("session integrity", () => {
  it("a cookie replayed from abroad in the owner's live session: recovery email and password changed, no new login", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1", asn: TELEKOM }),
      from(
        t + 10 * MINUTE,
        "own",
        { type: "settings.changed", setting: "recovery_email", action: "updated" },
        LAGOS,
      ),
      from(
        t + 11 * MINUTE,
        "own",
        { type: "settings.changed", setting: "password", action: "updated" },
        LAGOS,
      ),
    ]);
    expect(steps[0]).toBeUndefined();
    expect(steps[1]?.severity).toBe("high");
    expect(steps[2]?.severity).toBe("critical");
    expect(message(steps[2], "session_context_changed")).toBe(
      "The session moved from Berlin, Germany via Deutsche Telekom AG on Chrome on Windows to Lagos, Nigeria via MTN Nigeria on Chrome on Windows 10 min after it began (country changed, 30,980 km/h); a stolen session cookie reads this way",
    );
    expect(steps[2]?.reasons[0]?.message).toBe(
      "Recovery contact changed and password changed in a session whose login was already suspicious (session moved to another place or device)",
    );
  });

  it("an in-session hijack: email changed and albums deleted from a foreign address in the owner's session", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1" }),
      from(
        t + 30 * MINUTE,
        "own",
        { type: "settings.changed", setting: "email" },
        { place: PLACES.lagos, network: "41.58.1.0/24" },
      ),
      from(
        t + 32 * MINUTE,
        "own",
        { type: "content.deleted", contentType: "album", count: 6 },
        { place: PLACES.lagos, network: "41.58.1.0/24" },
      ),
    ]);
    expect(steps.map((f) => f?.severity)).toEqual([undefined, "high", "critical"]);
    expect(codes(steps[2])).toEqual(
      expect.arrayContaining(["session_context_changed", "email_changed", "mass_deletion"]),
    );
  });

  it("another browser in the session is a hijack even from the same address", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1" }),
      from(
        t + 5 * MINUTE,
        "own",
        { type: "settings.changed", setting: "email" },
        { place: PLACES.berlin, network: "192.0.2.0/24" },
        { userAgent: UA.firefoxLinux, deviceId: "other" },
      ),
    ]);
    expect(steps[1]?.severity).toBe("high");
    expect(message(steps[1], "session_context_changed")).toContain("(browser changed)");
  });

  it("carrier address changes in one autonomous system and one country are the owner's phone, not a hijack", () => {
    const { state, population, t } = settled();
    const hamburgCarrier = { place: PLACES.hamburg, network: "80.187.1.0/24", asn: TELEKOM };
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1", asn: TELEKOM }),
      from(t + 5 * MINUTE, "own", { type: "settings.changed", setting: "email" }, hamburgCarrier),
    ]);
    expect(codes(steps[1])).toEqual(["email_changed"]);
    expect(steps[1]?.severity).toBe("low");
  });

  it("a laptop's session that moves hundreds of kilometres inside the owner's provider is a replayed cookie; a phone's is its carrier", () => {
    const { state, population, t } = settled();
    const munichLine = { place: PLACES.munich, network: "91.64.1.0/24", asn: TELEKOM };
    const laptop = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1", asn: TELEKOM }),
      from(t + 30 * MINUTE, "own", { type: "settings.changed", setting: "email" }, munichLine),
    ]);
    expect(laptop[1]?.severity).toBe("high");
    expect(message(laptop[1], "session_context_changed")).toBe(
      "The session moved from Berlin, Germany via Deutsche Telekom AG on Chrome on Windows to Munich, Germany via Deutsche Telekom AG on Chrome on Windows 30 min after it began (network changed); a stolen session cookie reads this way",
    );
    const phone = { userAgent: UA.safariIphone, deviceId: "iphone-1" };
    const carrier = replay(state, population, [
      loginObs(t + HOUR, { sessionId: "phone", asn: TELEKOM, ...phone }),
      from(
        t + HOUR + 30 * MINUTE,
        "phone",
        { type: "content.modified", contentType: "photo" },
        munichLine,
        phone,
      ),
    ]);
    expect(codes(carrier[1])).not.toContain("session_context_changed");
  });

  it("a phone's session that turns up far away on a network and in a region the account never used is its token replayed; a café nearby is the owner", () => {
    const { state, population, t } = settled();
    const phone = { userAgent: UA.safariIphone, deviceId: "iphone-1" };
    const VODAFONE: Asn = { number: 3209, org: "Vodafone GmbH" };
    const changes = (sessionId: string, at: number, where: { place: Place; network: string; asn: Asn }) => [
      from(at, sessionId, { type: "settings.changed", setting: "recovery_email" }, where, phone),
      from(at + MINUTE, sessionId, { type: "settings.changed", setting: "password" }, where, phone),
    ];
    // The phone is the owner's: used at home for two days before.
    const known = [0, 1].flatMap((day) => [
      loginObs(t - (2 - day) * DAY, { sessionId: `home-phone${day}`, asn: TELEKOM, ...phone }),
      sessionObs(t - (2 - day) * DAY + MINUTE, `home-phone${day}`, { type: "session.ended" }),
    ]);
    const munich = replay(state, population, [
      ...known,
      loginObs(t, { sessionId: "phone", asn: TELEKOM, ...phone }),
      ...changes("phone", t + 40 * MINUTE, { place: PLACES.munich, network: "88.64.1.0/24", asn: VODAFONE }),
    ]);
    expect(munich.at(-1)?.severity).toBe("high");
    expect(munich.at(-1)?.reasons.find((r) => r.code === "session_context_changed")?.details?.strength).toBe(
      "weak",
    );

    const cafe = replay(state, population, [
      ...known,
      loginObs(t + DAY, { sessionId: "phone2", asn: TELEKOM, ...phone }),
      ...changes("phone2", t + DAY + 40 * MINUTE, {
        place: PLACES.potsdam,
        network: "88.65.1.0/24",
        asn: VODAFONE,
      }),
    ]);
    expect(codes(cafe.at(-1))).not.toContain("session_context_changed");
    expect(cafe.at(-1)?.severity).toBe("low");
  });

  it("a laptop's line that changes provider has moved, also when routing data knows only one side", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1", asn: TELEKOM }),
      from(
        t + 5 * MINUTE,
        "own",
        { type: "content.modified", contentType: "photo" },
        { place: PLACES.potsdam, network: "100.64.9.0/24" },
      ),
    ]);
    expect(codes(steps[1])).toEqual(["session_context_changed"]);
    expect(steps[1]?.reasons[0]?.details?.strength).toBe("weak");
    // The other way round: a login from an address no routing data knows, then a provider's line
    // nearby that the account never used. The provider the account does use vouches for itself.
    const VODAFONE: Asn = { number: 3209, org: "Vodafone GmbH" };
    const unrouted = (sessionId: string, at: number, asn: Asn, network: string) =>
      replay(state, population, [
        loginObs(at, { sessionId, deviceId: "laptop-1" }),
        from(
          at + 5 * MINUTE,
          sessionId,
          { type: "content.modified", contentType: "photo" },
          {
            place: PLACES.potsdam,
            network,
            asn,
          },
        ),
      ]);
    const other = unrouted("unrouted", t + HOUR, VODAFONE, "88.65.1.0/24");
    expect(other[1]?.reasons.find((r) => r.code === "session_context_changed")?.details?.strength).toBe(
      "weak",
    );
    expect(unrouted("unrouted2", t + 2 * HOUR, TELEKOM, "91.64.1.0/24")[1]).toBeUndefined();
  });

  it("without an ASN, a nearby network in the same country passes (carrier NAT) and one abroad does not", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1" }),
      from(
        t + 5 * MINUTE,
        "own",
        { type: "content.modified", contentType: "photo" },
        { place: PLACES.potsdam, network: "100.64.9.0/24" },
      ),
      from(
        t + 6 * MINUTE,
        "own",
        { type: "content.modified", contentType: "photo" },
        { place: PLACES.paris, network: "100.65.9.0/24" },
      ),
    ]);
    expect(steps[1]).toBeUndefined();
    expect(codes(steps[2])).toEqual(["session_context_changed"]);
  });

  it("a session Vigil never saw is judged by its context against the profile, not trusted", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      from(
        t,
        "ghost",
        { type: "settings.changed", setting: "email" },
        { place: PLACES.lagos, network: "41.58.1.0/24" },
        { userAgent: UA.firefoxLinux, deviceId: "x" },
      ),
    ]);
    expect(steps[0]?.severity).toBe("high");
    expect(message(steps[0], "session_context_changed")).toBe(
      "Activity from Lagos, Nigeria on Firefox on Linux in a session whose login Vigil never saw; the account is usually used from Germany",
    );
    // The same from the owner's own place and device is the owner's forgotten session.
    const home = replay(state, population, [
      from(
        t + HOUR,
        "old",
        { type: "settings.changed", setting: "email" },
        { place: PLACES.berlin, network: "192.0.2.0/24" },
      ),
    ]);
    expect(codes(home[0])).toEqual(["email_changed"]);
  });
});

describe("copied devices (infostealer)", () => {
  it("the victim's exact user agent and device id from abroad, days later: email changed, albums deleted", () => {
    const { state, population, t } = settled();
    const at = t + 2 * DAY;
    const steps = replay(state, population, [
      loginObs(at, { sessionId: "thief", deviceId: "laptop-1", ...LAGOS }),
      sessionObs(at + 2 * MINUTE, "thief", { type: "settings.changed", setting: "email" }),
      sessionObs(at + 4 * MINUTE, "thief", { type: "content.deleted", contentType: "album", count: 6 }),
    ]);
    expect(steps.map((f) => f?.severity)).toEqual(["low", "high", "critical"]);
    expect(steps[2]?.reasons[0]?.message).toBe(
      "Email changed and mass deletion in a session whose login was already suspicious (new country)",
    );
  });

  it("the device id logged in abroad while the owner's session keeps being used at home is a copy", () => {
    const { state, population, t } = settled();
    const home = { place: PLACES.berlin, network: "192.0.2.0/24" };
    observeUser(state, population, loginObs(t, { sessionId: "own", deviceId: "laptop-1" }));
    const far = observeUser(
      state,
      population,
      loginObs(t + 2 * HOUR, {
        sessionId: "thief",
        deviceId: "laptop-1",
        place: PLACES.paris,
        network: "198.18.5.0/24",
      }),
    );
    // At its login it could be the owner's VPN: a new country, nothing more.
    expect(codes(far.flags[0])).toEqual(["new_country"]);
    const owner = observeUser(
      state,
      population,
      from(t + 2 * HOUR + 10 * MINUTE, "own", { type: "content.modified", contentType: "photo" }, home),
    );
    expect(owner.flags).toHaveLength(1);
    expect(owner.flags[0]?.sessionId).toBe("thief");
    expect(message(owner.flags[0], "new_device")).toBe(
      "Login with the device id of this account's Chrome on Windows from Paris, France while the device kept being used in Berlin, Germany, 837 km away (10 min later): a copied device",
    );
    expect(owner.flags[0]?.severity).toBe("medium");
    const [change] = replay(state, population, [
      sessionObs(t + 2 * HOUR + 12 * MINUTE, "thief", { type: "settings.changed", setting: "password" }),
    ]);
    expect(change?.severity).toBe("critical");
  });

  it("a VPN switched on: the device far away minutes after its use at home is no copy while home stays quiet", () => {
    const { state, population, t } = settled();
    observeUser(state, population, loginObs(t, { sessionId: "own", deviceId: "laptop-1" }));
    const steps = replay(state, population, [
      loginObs(t + 2 * HOUR, {
        sessionId: "vpn",
        deviceId: "laptop-1",
        place: PLACES.paris,
        network: "198.18.5.0/24",
      }),
      sessionObs(t + 2 * HOUR + 5 * MINUTE, "own", { type: "content.modified", contentType: "photo" }),
    ]);
    expect(codes(steps[0])).toEqual(["new_country"]);
    expect(steps[1]).toBeUndefined();
  });

  it("a VPN switched on: the home session's expiry, recorded at home after the far login, is no use of the device", () => {
    const home = { place: PLACES.berlin, network: "192.0.2.0/24" };
    const vpnLogin = (t: number) =>
      loginObs(t + 2 * HOUR, {
        sessionId: "vpn",
        deviceId: "laptop-1",
        place: PLACES.paris,
        network: "198.18.5.0/24",
      });
    const ending = (reason: "expired" | "revoked" | "logout") => {
      const { state, population, t } = settled();
      observeUser(state, population, loginObs(t, { sessionId: "own", deviceId: "laptop-1" }));
      observeUser(state, population, vpnLogin(t));
      return observeUser(
        state,
        population,
        from(t + 2 * HOUR + 30 * MINUTE, "own", { type: "session.ended", reason }, home),
      ).flags;
    };
    // The platform timed the home session out: its address is where the session was last seen.
    expect(ending("expired")).toEqual([]);
    expect(ending("revoked")).toEqual([]);
    // A logout is a request from the device at home while its id is in Paris: two copies.
    const copy = ending("logout");
    expect(copy[0]?.sessionId).toBe("vpn");
    expect(message(copy[0], "new_device")).toBe(
      "Login with the device id of this account's Chrome on Windows from Paris, France while the device kept being used in Berlin, Germany, 837 km away (30 min later): a copied device",
    );
  });

  it("the device id whose own session has ended long enough ago to fly is travel, not a copy", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1" }),
      sessionObs(t + 10 * MINUTE, "own", { type: "session.ended" }),
      loginObs(t + 10 * HOUR, { sessionId: "trip", deviceId: "laptop-1", ...LAGOS }),
    ]);
    expect(codes(steps[2])).toEqual(["new_country"]);
  });
});

describe("account memory", () => {
  it("laundering: a quiet first session abroad, the damage in a second one 15 minutes later", () => {
    const { state, population, t } = settled();
    const attacker = { ...LAGOS, userAgent: UA.firefoxLinux, deviceId: "kali" };
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "quiet", ...attacker }),
      sessionObs(t + 5 * MINUTE, "quiet", { type: "session.ended" }),
      loginObs(t + 20 * MINUTE, { sessionId: "loud", ...attacker }),
      sessionObs(t + 22 * MINUTE, "loud", { type: "settings.changed", setting: "email" }),
      sessionObs(t + 23 * MINUTE, "loud", { type: "settings.changed", setting: "mfa", action: "disabled" }),
    ]);
    expect(steps.map((f) => f?.severity)).toEqual(["medium", "medium", "medium", "high", "critical"]);
    expect(state.profile.values.country.NG).toBeUndefined();
  });

  it("a second session from the same new place inherits the first one's risk until the first is learned", () => {
    const { state, population, t } = settled();
    // The first login abroad came 30 min after one at home (impossible travel); the second, hours
    // later, is possible travel: by itself it is a traveller's second login, by its place it is the first one's.
    const steps = replay(state, population, [
      loginObs(t - 30 * MINUTE, { sessionId: "home", deviceId: "laptop-1" }),
      loginObs(t, { sessionId: "quiet", deviceId: "laptop-1", ...LAGOS }),
      sessionObs(t + 5 * MINUTE, "quiet", { type: "session.ended" }),
      loginObs(t + 6 * HOUR, { sessionId: "back", deviceId: "laptop-1", ...LAGOS, network: "41.58.7.0/24" }),
      sessionObs(t + 6 * HOUR + MINUTE, "back", { type: "settings.changed", setting: "privacy" }),
    ]);
    expect(codes(steps[3])).toEqual(["new_country"]);
    expect(steps[4]?.severity).toBe("high");
    expect(steps[4]?.reasons[0]?.message).toBe(
      "Privacy settings changed in a session whose login was already suspicious (new country, same place as a suspicious session from Lagos, Nigeria 6 h earlier (new country, impossible travel))",
    );
  });

  it("once the quiet session has been learned (days without harm), its place passes no risk on", () => {
    const { state, population, t } = settled();
    replay(state, population, [
      loginObs(t - 30 * MINUTE, { sessionId: "home", deviceId: "laptop-1" }),
      loginObs(t, { sessionId: "quiet", deviceId: "laptop-1", ...LAGOS }),
      sessionObs(t + 5 * MINUTE, "quiet", { type: "session.ended" }),
    ]);
    const later = t + defaultDetectionConfig.session.quietHighMs + 2 * HOUR;
    replay(state, population, [loginObs(later, { sessionId: "home2", deviceId: "laptop-1" })]);
    expect(state.profile.values.country.NG?.n ?? 0).toBeGreaterThan(0);
    const again = replay(state, population, [
      loginObs(later + 8 * HOUR, { sessionId: "again", deviceId: "laptop-1", ...LAGOS }),
      sessionObs(later + 8 * HOUR + MINUTE, "again", { type: "settings.changed", setting: "privacy" }),
    ]);
    expect(codes(again[1])).not.toContain("risky_session_activity");
  });

  it("a place groomed by quiet visits for over two weeks still hands the account over suspiciously, unless the owner vouched for its first visit", () => {
    const attacker = { ...LAGOS, userAgent: UA.firefoxLinux, deviceId: "kali" };
    const groom = (vouched: boolean, flooded = false, from: Partial<LoginOptions> = attacker) => {
      const { state, population, t } = settled();
      for (let visit = 0; visit < 5; visit++) {
        const at = t + visit * 3 * DAY;
        replay(state, population, [
          loginObs(at, { sessionId: `visit${visit}`, ...from }),
          sessionObs(at + 5 * MINUTE, `visit${visit}`, { type: "session.ended" }),
        ]);
        if (visit === 0 && vouched)
          applyFeedback(state, { verdict: "legitimate", sessionId: "visit0", at: at + HOUR, by: "owner" });
      }
      // An attacker who read memory.ts: fresh risky logins from eight other countries the day
      // before, to push the first visit's record out of the account's bounded memory.
      if (flooded) {
        for (const [i, country] of ["BR", "VN", "ID", "PK", "EG", "UA", "MX", "TR"].entries()) {
          const at = t + 15 * DAY + i * HOUR;
          const where = {
            country,
            region: "X",
            city: `City ${country}`,
            lat: -10 + i * 5,
            lon: 30 + i * 10,
            accuracyKm: 20,
          };
          replay(state, population, [
            loginObs(at, {
              sessionId: `noise${i}`,
              place: where,
              network: `198.51.${i}.0/24`,
              deviceId: `noise${i}`,
            }),
            sessionObs(at + 5 * MINUTE, `noise${i}`, { type: "session.ended" }),
          ]);
        }
        expect(state.memory?.risky.length).toBe(defaultDetectionConfig.memory.maxContexts);
      }
      const at = t + 16 * DAY;
      return replay(state, population, [
        loginObs(at, { sessionId: "strike", ...from }),
        sessionObs(at + 3 * MINUTE, "strike", { type: "settings.changed", setting: "email" }),
      ]);
    };
    const groomed = groom(false);
    // Sixteen days on, place and device are familiar and no longer young: the login is quiet.
    expect(groomed[0]).toBeUndefined();
    expect(groomed[1]?.severity).toBe("high");
    expect(groomed[1]?.reasons[0]?.message).toBe(
      "Email changed in a session whose login was already suspicious (a network the account first used in a suspicious session from Lagos, Nigeria 16 days earlier (new country, new device))",
    );
    expect(groom(true)[1]?.severity).not.toBe("high");
    expect(groom(false, true)[1]?.severity).toBe("high");
    // At home, on another provider, a laptop never seen of the owner's own kind: a first visit of 25
    // (new network, new device), enough from a device the account never had.
    const domestic = {
      network: "88.70.5.0/24",
      asn: { number: 3209, org: "Vodafone GmbH" },
      deviceId: "other",
    };
    expect(groom(false, false, domestic)[1]?.severity).toBe("high");
  });

  it("a sensitive change days after a risky login escalates in that session even once Vigil forgot it", () => {
    const { state, population, t } = settled();
    replay(state, population, [
      loginObs(t, { sessionId: "long", deviceId: "laptop-1", place: PLACES.paris, network: "198.18.0.0/24" }),
    ]);
    const risk = state.sessions.find((s) => s.id === "long")?.login ?? 0;
    expect(risk).toBeGreaterThanOrEqual(defaultDetectionConfig.activity.riskyLoginScore);
    // Days pass; the session record is swept.
    replay(state, population, [loginObs(t + 20 * DAY, { sessionId: "home", deviceId: "laptop-1" })]);
    expect(state.sessions.some((s) => s.id === "long")).toBe(false);
    const steps = replay(state, population, [
      sessionObs(t + 2 * DAY, "long", { type: "settings.changed", setting: "email" }),
    ]);
    expect(steps[0]?.severity).toBe("high");
  });

  it("a slow wipe spread over sessions and hours is a mass deletion for the account, not for one session", () => {
    const { state, population, t } = settled();
    const flags: (FlagUpdate | undefined)[] = [];
    for (let h = 0; h < 12; h++) {
      const at = t + h * HOUR;
      flags.push(
        ...replay(state, population, [
          loginObs(at, { sessionId: `s${h}`, deviceId: "laptop-1" }),
          sessionObs(at + MINUTE, `s${h}`, { type: "content.deleted", contentType: "album", count: 1 }),
        ]),
      );
    }
    const firstIndex = flags.findIndex((f) => f !== undefined);
    // 10 photos' worth per session: below the per-session mass rule every time.
    expect(firstIndex).toBe(2 * (defaultDetectionConfig.memory.deleted.dayItems / 10) - 1);
    expect(message(flags[firstIndex], "mass_deletion")).toBe(
      "Content worth 100 photos deleted on this account across sessions in 24 h (usually about 0 a day)",
    );
  });

  it("a slow wipe from a rented line on the owner's own ISP with the owner's copied laptop adds up; the owner's phone on carrier /24s does not", () => {
    // A month of the laptop and the phone at home, on the ISP's autonomous system.
    const population = emptyPopulation();
    const state = initialUserState();
    for (let i = 0; i < 40; i++) {
      const at = T0 + i * 18 * HOUR;
      const device = i % 2 ? { userAgent: UA.safariIphone, deviceId: "iphone-1" } : { deviceId: "laptop-1" };
      replay(state, population, [
        loginObs(at, { sessionId: `home${i}`, asn: TELEKOM, ...device }),
        sessionObs(at + MINUTE, `home${i}`, { type: "session.ended" }),
      ]);
    }
    const t = T0 + 40 * 18 * HOUR;
    const wipe = (
      prefix: string,
      where: { place: Place; asn: Asn },
      device: { userAgent?: string; deviceId: string },
    ) => {
      const flags: (FlagUpdate | undefined)[] = [];
      for (let d = 0; d < 6; d++) {
        const at = t + d * 20 * HOUR;
        const network = `${prefix}.${d}.0/24`;
        flags.push(
          ...replay(state, population, [
            loginObs(at, { sessionId: `${prefix}-${d}`, ...where, network, ...device }),
            sessionObs(at + MINUTE, `${prefix}-${d}`, {
              type: "content.deleted",
              contentType: "album",
              count: 2,
            }),
          ]),
        );
      }
      return flags;
    };
    const phone = wipe(
      "80.187",
      { place: PLACES.berlin, asn: TELEKOM },
      { userAgent: UA.safariIphone, deviceId: "iphone-1" },
    );
    expect(phone.some((f) => f?.severity === "high" || f?.severity === "critical")).toBe(false);
    const line = wipe("91.64", { place: PLACES.munich, asn: TELEKOM }, { deviceId: "laptop-1" });
    const high = line.find((f) => f?.severity === "high");
    expect(high?.reasons[0]?.code).toBe("risky_session_activity");
    expect(message(high, "mass_deletion")).toMatch(
      /^Content worth 1[0-9]{2} photos deleted on this account in 7 days from networks it had not used before$/,
    );
  });

  it("a user's usual volume raises the bar: the same day is ordinary for a heavy deleter", () => {
    const { state, population, t } = settled();
    const heavy = (start: number, days: number) => {
      const out: (FlagUpdate | undefined)[] = [];
      for (let d = 0; d < days; d++) {
        const at = start + d * DAY;
        out.push(
          ...replay(state, population, [
            loginObs(at, { sessionId: `d${start}-${d}`, deviceId: "laptop-1" }),
            sessionObs(at + MINUTE, `d${start}-${d}`, {
              type: "content.deleted",
              contentType: "photo",
              count: 40,
            }),
          ]),
        );
      }
      return out;
    };
    heavy(t, 40);
    const later = heavy(t + 40 * DAY, 3);
    expect(later.filter((f) => f !== undefined)).toEqual([]);
  });
});

describe("patient attackers on the owner's own network", () => {
  it("a device never seen, on the account's own network and browser, replacing the recovery email, then the email", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "stranger", deviceId: "stranger-laptop" }),
      sessionObs(t + 3 * MINUTE, "stranger", {
        type: "settings.changed",
        setting: "recovery_email",
        action: "updated",
      }),
    ]);
    expect(steps[0]?.score ?? 0).toBeLessThan(defaultDetectionConfig.severity.low);
    expect(steps[1]?.severity).toBe("high");
    expect(steps[1]?.reasons[0]?.message).toBe(
      "Recovery contact changed in a session whose login was already suspicious (new device, a device new to the account)",
    );
    // The owner's own laptop doing the same is housekeeping.
    const own = replay(state, population, [
      loginObs(t + HOUR, { sessionId: "own", deviceId: "laptop-1" }),
      sessionObs(t + HOUR + MINUTE, "own", {
        type: "settings.changed",
        setting: "recovery_email",
        action: "updated",
      }),
    ]);
    expect(own[1]?.severity).toBe("low");
  });

  it("a device never seen on the owner's network mints an API token (a spray's winner coming back); the owner's laptop does not escalate", () => {
    const { state, population, t } = settled();
    const token = (at: number, sessionId: string) =>
      sessionObs(at, sessionId, { type: "settings.changed", setting: "api_token", action: "added" });
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "stranger", deviceId: "stranger-laptop" }),
      token(t + 3 * MINUTE, "stranger"),
    ]);
    expect(steps[0]?.score ?? 0).toBeLessThan(defaultDetectionConfig.activity.riskyLoginScore);
    expect(steps[1]?.severity).toBe("high");
    expect(steps[1]?.reasons[0]?.message).toBe(
      "Access token created in a session whose login was already suspicious (new device, a device new to the account)",
    );
    const own = replay(state, population, [
      loginObs(t + HOUR, { sessionId: "own", deviceId: "laptop-1" }),
      token(t + HOUR + MINUTE, "own"),
    ]);
    expect(own[1]?.severity).toBe("low");
    expect(codes(own[1])).toEqual(["api_token_changed"]);
    // Revoking a token from a device never seen takes nothing.
    const revoked = replay(state, population, [
      loginObs(t + 2 * HOUR, { sessionId: "cleaner", deviceId: "another-laptop" }),
      sessionObs(t + 2 * HOUR + MINUTE, "cleaner", {
        type: "settings.changed",
        setting: "api_token",
        action: "removed",
      }),
    ]);
    expect(revoked[1]).toBeUndefined();
  });

  it("a new phone secured at once moves the recovery phone and the authenticator without escalating", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "phone", userAgent: UA.safariIphone, deviceId: "iphone-2" }),
      sessionObs(t + MINUTE, "phone", {
        type: "settings.changed",
        setting: "recovery_phone",
        action: "updated",
      }),
      sessionObs(t + 2 * MINUTE, "phone", { type: "settings.changed", setting: "mfa", action: "updated" }),
    ]);
    for (const flag of steps) expect(codes(flag)).not.toContain("risky_session_activity");
  });
});

describe("owners' security hygiene", () => {
  it("a first VPN exit on the other side of the world half a day after home is a near miss, minutes after it is not", () => {
    const melbourne: Place = {
      country: "AU",
      region: "VIC",
      city: "Melbourne",
      lat: -37.81,
      lon: 144.96,
      accuracyKm: 20,
    };
    const exit = (after: number) => {
      const { state, population, t } = settled();
      observeUser(state, population, loginObs(t, { sessionId: "home", deviceId: "laptop-1" }));
      const where = { place: melbourne, network: "203.0.113.0/24" };
      return observeUser(
        state,
        population,
        loginObs(t + after, { sessionId: "vpn", deviceId: "laptop-1", ...where }),
      ).flags[0];
    };
    const halfADay = exit(15 * HOUR);
    expect(message(halfADay, "impossible_travel")).toBe(
      "Travelled 15,973 km in 15 h (1,062 km/h) from Berlin, Germany to Melbourne, Australia",
    );
    expect(halfADay?.severity).toBe("medium");
    expect(exit(25 * MINUTE)?.severity).toBe("critical");
  });

  it("a new phone on the usual network, password changed, recovery phone added, MFA on: below medium", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "phone", userAgent: UA.safariIphone, deviceId: "iphone-1" }),
      sessionObs(t + 2 * MINUTE, "phone", { type: "settings.changed", setting: "password" }),
      sessionObs(t + 3 * MINUTE, "phone", {
        type: "settings.changed",
        setting: "recovery_phone",
        action: "added",
      }),
      sessionObs(t + 4 * MINUTE, "phone", { type: "settings.changed", setting: "mfa", action: "enabled" }),
    ]);
    for (const flag of steps) expect(flag?.score ?? 0).toBeLessThan(defaultDetectionConfig.severity.medium);
    expect(codes(steps[3])).not.toContain("risky_session_activity");
  });

  it("a new work laptop at the office, secured at once (password, MFA on, recovery phone): noted once, below medium", () => {
    const { state, population, t } = settled();
    const office = { place: PLACES.berlin, network: "198.51.100.0/24" };
    const work = { userAgent: UA.firefoxLinux, deviceId: "work-laptop" };
    const change = (at: number, setting: string, action: string) =>
      from(at, "work", { type: "settings.changed", setting, action } as Fields, office, work);
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "work", ...work, ...office }),
      change(t + 3 * MINUTE, "password", "updated"),
      change(t + 5 * MINUTE, "mfa", "enabled"),
      change(t + 6 * MINUTE, "recovery_phone", "added"),
    ]);
    const last = steps.at(-1);
    expect(codes(last)).toEqual(
      expect.arrayContaining([
        "new_device",
        "new_network",
        "password_changed",
        "mfa_changed",
        "recovery_changed",
      ]),
    );
    expect(last?.score ?? 0).toBeLessThan(defaultDetectionConfig.severity.medium);
  });

  it("a password changed abroad on the owner's laptop does not escalate; an access token created there does", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, {
        sessionId: "trip",
        deviceId: "laptop-1",
        place: PLACES.newYork,
        network: "203.0.113.0/24",
      }),
      sessionObs(t + 2 * MINUTE, "trip", { type: "settings.changed", setting: "password" }),
      sessionObs(t + 3 * MINUTE, "trip", { type: "settings.changed", setting: "api_token", action: "added" }),
    ]);
    expect(steps[1]?.severity).toBe("low");
    expect(steps[2]?.severity).toBe("high");
    expect(steps[2]?.reasons[0]?.message).toBe(
      "Access token created in a session whose login was already suspicious (new country)",
    );
  });

  it("privacy settings changed on the owner's laptop behind a VPN exit do not escalate; on a new device there they do", () => {
    const { state, population, t } = settled();
    const vpn = { place: PLACES.newYork, network: "198.18.9.0/24" };
    const own = replay(state, population, [
      loginObs(t, { sessionId: "home", deviceId: "laptop-1" }),
      loginObs(t + 20 * MINUTE, { sessionId: "vpn", deviceId: "laptop-1", ...vpn }),
      sessionObs(t + 22 * MINUTE, "vpn", { type: "settings.changed", setting: "privacy" }),
    ]);
    expect(codes(own[1])).toContain("impossible_travel");
    expect(codes(own[2])).not.toContain("risky_session_activity");
    const other = replay(state, population, [
      loginObs(t + 2 * HOUR, { sessionId: "other", ...vpn, deviceId: "kali", userAgent: UA.firefoxLinux }),
      sessionObs(t + 2 * HOUR + MINUTE, "other", { type: "settings.changed", setting: "privacy" }),
    ]);
    expect(other[1]?.reasons[0]?.code).toBe("risky_session_activity");
  });

  it("additive changes escalate after a medium-risk login like any other", () => {
    const { state, population, t } = settled();
    const steps = replay(state, population, [
      loginObs(t, { sessionId: "evil", ...LAGOS, userAgent: UA.firefoxLinux, deviceId: "kali" }),
      sessionObs(t + 2 * MINUTE, "evil", { type: "settings.changed", setting: "mfa", action: "added" }),
    ]);
    expect(steps[0]?.severity).toBe("medium");
    expect(steps[1]?.severity).toBe("high");
  });

  it("a VPN exit and home stop being impossible travel once the exit's quiet session has been learned", () => {
    const { state, population, t } = settled();
    const vpn = { place: PLACES.newYork, network: "198.18.9.0/24", deviceId: "laptop-1" };
    const travel: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const at = t + i * 3 * DAY;
      replay(state, population, [loginObs(at, { sessionId: `home${i}`, deviceId: "laptop-1" })]);
      const [flag] = replay(state, population, [
        loginObs(at + 20 * MINUTE, { sessionId: `vpn${i}`, ...vpn }),
      ]);
      travel.push(codes(flag).includes("impossible_travel"));
      replay(state, population, [sessionObs(at + 30 * MINUTE, `vpn${i}`, { type: "session.ended" })]);
    }
    expect(travel).toEqual([true, false, false]);
  });

  it("roaming: hotel Wi-Fi abroad, then the usual phone on its home carrier 20 minutes later", () => {
    const { state, population, t } = settled();
    // The phone has been used on the home carrier before.
    replay(state, population, [
      loginObs(t, {
        sessionId: "p0",
        userAgent: UA.safariIphone,
        deviceId: "iphone-1",
        network: "80.187.1.0/24",
        asn: TELEKOM,
      }),
      loginObs(t + DAY, {
        sessionId: "p1",
        userAgent: UA.safariIphone,
        deviceId: "iphone-1",
        network: "80.187.2.0/24",
        asn: TELEKOM,
      }),
    ]);
    const hotel = {
      place: PLACES.newYork,
      network: "198.18.9.0/24",
      asn: { number: 64512, org: "Hotel Net" },
    };
    const at = t + 3 * DAY;
    const steps = replay(state, population, [
      loginObs(at, { sessionId: "hotel", deviceId: "laptop-1", ...hotel }),
      loginObs(at + 20 * MINUTE, {
        sessionId: "roam",
        userAgent: UA.safariIphone,
        deviceId: "iphone-1",
        network: "80.187.3.0/24",
        asn: TELEKOM,
      }),
    ]);
    expect(codes(steps[1])).not.toContain("impossible_travel");
    expect(steps[1]).toBeUndefined();
  });
});

describe("determinism of the new state", () => {
  function story(t: number): Observation[] {
    const home = { place: PLACES.berlin, network: "192.0.2.0/24" };
    const attacker = { ...LAGOS, userAgent: UA.firefoxLinux, deviceId: "kali" };
    const out: Observation[] = [
      loginObs(t, { sessionId: "own", deviceId: "laptop-1", asn: TELEKOM }),
      from(t + 5 * MINUTE, "own", { type: "content.modified", contentType: "photo" }, home),
      from(t + 10 * MINUTE, "own", { type: "settings.changed", setting: "recovery_email" }, LAGOS),
      loginObs(t + HOUR, { sessionId: "quiet", ...attacker }),
      sessionObs(t + HOUR + MINUTE, "quiet", { type: "session.ended" }),
      loginObs(t + 2 * HOUR, { sessionId: "loud", ...attacker }),
      sessionObs(t + 2 * HOUR + MINUTE, "loud", {
        type: "settings.changed",
        setting: "mfa",
        action: "disabled",
      }),
      from(t + 3 * HOUR, "ghost", { type: "settings.changed", setting: "email" }, LAGOS, { deviceId: "x" }),
      loginObs(t + 4 * HOUR, {
        sessionId: "copy",
        deviceId: "laptop-1",
        place: PLACES.paris,
        network: "198.18.5.0/24",
      }),
      from(t + 4 * HOUR + 5 * MINUTE, "own", { type: "content.modified", contentType: "photo" }, home),
      from(t + 4 * HOUR + 40 * MINUTE, "own", { type: "session.ended", reason: "expired" }, home),
      loginObs(t + 4 * HOUR + 50 * MINUTE, { sessionId: "token", deviceId: "stranger-laptop" }),
      sessionObs(t + 4 * HOUR + 52 * MINUTE, "token", {
        type: "settings.changed",
        setting: "api_token",
        action: "added",
      }),
    ];
    for (let h = 0; h < 10; h++) {
      out.push(loginObs(t + (5 + h) * HOUR, { sessionId: `w${h}`, deviceId: "laptop-1" }));
      out.push(
        sessionObs(t + (5 + h) * HOUR + MINUTE, `w${h}`, {
          type: "content.deleted",
          contentType: "album",
          count: 1,
        }),
      );
    }
    return out;
  }

  it("gives the same flags and the same state directly and through JSON after every event, feedback included", () => {
    const direct = settled();
    const viaJson = settled();
    let state = viaJson.state;
    const flagsDirect: FlagUpdate[] = [];
    const flagsJson: FlagUpdate[] = [];
    for (const obs of story(direct.t)) {
      flagsDirect.push(...observeUser(direct.state, direct.population, obs).flags);
      const step = observeUser(state, viaJson.population, obs);
      flagsJson.push(...step.flags);
      state = JSON.parse(JSON.stringify(step.state));
    }
    applyFeedback(direct.state, { verdict: "legitimate", sessionId: "own", at: direct.t + DAY, by: "owner" });
    applyFeedback(direct.state, { verdict: "compromised", sessionId: "loud", at: direct.t + DAY });
    state = JSON.parse(
      JSON.stringify(
        applyFeedback(
          applyFeedback(state, { verdict: "legitimate", sessionId: "own", at: direct.t + DAY, by: "owner" }),
          { verdict: "compromised", sessionId: "loud", at: direct.t + DAY },
        ),
      ),
    );
    expect(flagsDirect.length).toBeGreaterThan(5);
    expect(flagsJson).toEqual(flagsDirect);
    expect(JSON.stringify(state)).toBe(JSON.stringify(direct.state));
    expect(direct.state.memory?.risky.length ?? 0).toBeGreaterThan(0);
  });
});
