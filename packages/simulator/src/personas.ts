import { makeDevice, pickOtherMobileAgent } from "./agents.ts";
import { liveBigCleanup, liveForgotPassword, liveNewPhoneSecured } from "./hygiene.ts";
import { commuteOf, commuterLife, liveTravel } from "./journeys.ts";
import type { City } from "./places.ts";
import { COMMUTES, IPV6_HOMES } from "./places.ts";
import type { Rng } from "./random.ts";
import type { Life } from "./routine.ts";
import { endSession, homeLife, liveRoutine, logIn, ordinaryActivity } from "./routine.ts";
import type { Story } from "./story.ts";
import { HOUR, MINUTE, SECOND } from "./story.ts";
import type { User } from "./users.ts";
import { homeSetting } from "./users.ts";
import { liveCarrierHopper, liveRoamingTraveller, liveVpnUser } from "./wanderers.ts";

// Each benign persona is the ordinary routine plus the one thing that makes it look odd.

/** Where a persona lives, when it matters: commuters in a commuter town, IPv6 users where ISPs offer it. */
export function personaHome(persona: string, rng: Rng): City | undefined {
  if (persona === "commuter") return rng.pick(COMMUTES)[0];
  if (persona === "ipv6_rotating") return rng.pick(IPV6_HOMES);
  return undefined;
}

/** A time in [from + a·span, from + b·span), moved to the user's local evening (19:00–22:00). */
function localEvening(user: User, rng: Rng, from: number, to: number, a: number, b: number): number {
  const offset = user.home.utcOffset * HOUR;
  const day = Math.floor((from + (to - from) * rng.between(a, b) + offset) / (24 * HOUR));
  const at = day * 24 * HOUR - offset + rng.between(19, 22) * HOUR;
  return Math.min(Math.max(at, from), to - 4 * HOUR);
}

/** Buys a new phone of another family halfway through, and logs in with it from home Wi-Fi. */
function liveNewPhone(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const switchAt = localEvening(user, rng, from, to, 0.35, 0.6);
  const newPhone = makeDevice(
    user.id,
    "phone-2",
    pickOtherMobileAgent(rng.fork("new-phone"), user.phone.agent),
  );
  const before: Life = homeLife(user, from, switchAt - 3 * HOUR);
  liveRoutine(before, story, rng.fork("before"));
  // The old phone's last evening: the switch reads as a switch, not as a second phone.
  const last = { device: user.phone, network: user.homeNet };
  ordinaryActivity(logIn(story, user, rng, Math.max(from, switchAt - 24 * HOUR), last), user, rng, last);
  const after = { ...user, phone: newPhone };
  const first = { device: newPhone, network: user.homeNet };
  ordinaryActivity(logIn(story, after, rng, switchAt, first, 0), after, rng, first);
  liveRoutine(homeLife(after, switchAt + 3 * HOUR, to), story, rng.fork("after"));
}

/** Signs up during the window: a first-ever login, setting up the account, then ordinary use. */
function liveNewUser(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const joined = localEvening(user, rng, from, to, 0, 0.6);
  const setting = homeSetting(user, rng);
  const session = logIn(story, user, rng, joined, setting, 0);
  session.change(rng.int(30, 120) * SECOND, "profile", "updated");
  if (rng.chance(0.5)) session.change(rng.int(20, 90) * SECOND, "recovery_phone", "added");
  if (user.mfa) session.change(rng.int(30, 120) * SECOND, "mfa", "enabled");
  for (let i = rng.int(1, 4); i > 0; i--) session.modify(rng.int(20, 200) * SECOND, "photo", rng.int(3, 30));
  endSession(session, rng);
  liveRoutine(homeLife(user, joined + 3 * HOUR, to), story, rng.fork("routine"));
}

/** Tidies up: hundreds of old photos deleted in batches, from the home laptop, in the evening. */
function livePhotoCleanup(user: User, story: Story, rng: Rng, from: number, to: number): void {
  liveRoutine(homeLife(user, from, to), story, rng.fork("routine"));
  const setting = { device: user.laptop, network: user.homeNet };
  const session = logIn(story, user, rng, localEvening(user, rng, from, to, 0.3, 0.9), setting);
  for (let i = rng.int(3, 8); i > 0; i--) {
    session.delete(rng.int(30, 240) * SECOND, "photo", rng.int(20, 150));
  }
  if (rng.chance(0.5)) session.delete(rng.int(30, 120) * SECOND, "album", rng.int(2, 6));
  session.end(rng.int(1, 10) * MINUTE, "logout");
}

/** Plays the user's whole life over [from, to) into the story. */
export function livePersona(user: User, story: Story, rng: Rng, from: number, to: number): void {
  switch (user.persona) {
    case "commuter": {
      const work = commuteOf(user.home);
      liveRoutine(
        work === undefined ? homeLife(user, from, to) : commuterLife(user, work, from, to),
        story,
        rng,
      );
      return;
    }
    case "traveller":
      liveTravel(user, story, rng, from, to);
      return;
    case "new_phone":
      liveNewPhone(user, story, rng, from, to);
      return;
    case "new_user":
      liveNewUser(user, story, rng, from, to);
      return;
    case "password_typos": {
      liveRoutine(homeLife(user, from, to), story, rng);
      // At least one login that takes a few tries, whatever the routine drew.
      const setting = homeSetting(user, rng);
      const at = localEvening(user, rng, from, to, 0.1, 0.9);
      ordinaryActivity(logIn(story, user, rng, at, setting, rng.int(2, 4)), user, rng, setting);
      return;
    }
    case "photo_cleanup":
      livePhotoCleanup(user, story, rng, from, to);
      return;
    case "vpn_user":
      liveVpnUser(user, story, rng, from, to);
      return;
    case "roaming_traveller":
      liveRoamingTraveller(user, story, rng, from, to);
      return;
    case "carrier_hopper":
      liveCarrierHopper(user, story, rng, from, to);
      return;
    case "forgot_password":
      liveForgotPassword(user, story, rng, from, to);
      return;
    case "new_phone_secured":
      liveNewPhoneSecured(user, story, rng, from, to);
      return;
    case "big_cleanup":
      liveBigCleanup(user, story, rng, from, to);
      return;
    default:
      // home_user and ipv6_rotating (the home network) differ in the user model only.
      liveRoutine(homeLife(user, from, to), story, rng);
  }
}
