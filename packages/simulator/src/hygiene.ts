import { makeDevice, pickMobileAgent, pickOtherMobileAgent } from "./agents.ts";
import type { Rng } from "./random.ts";
import {
  accessOf,
  endSession,
  homeLife,
  liveRoutine,
  logIn,
  MAX_SESSION,
  ordinaryActivity,
  usualTime,
} from "./routine.ts";
import type { Story } from "./story.ts";
import { HOUR, MINUTE, SECOND } from "./story.ts";
import type { Setting, User } from "./users.ts";
import { actingIn } from "./users.ts";

// Benign users doing what security advice asks of them, or tidying up: the forgotten password and
// the reset, the new phone secured the evening it arrives, the evening of mass deletion. Each looks
// like a step of a takeover to a detector that does not ask where and on what it happened.

function focused(user: User): User {
  return { ...user, role: { ...user.role, focus: true } };
}

/** A time in the window's [a, b) share, at an hour the user is usually online. */
function someday(user: User, rng: Rng, from: number, to: number, a: number, b: number): number {
  const at = usualTime(user, rng, from + (to - from) * rng.between(a, b));
  return Math.min(at, to - MAX_SESSION - 2 * HOUR);
}

/**
 * After a password change, another of the user's devices still offers the old password: a failure
 * or three from its usual network, then the user types the new one.
 */
function staleDevice(user: User, story: Story, rng: Rng, at: number, setting: Setting): void {
  const who = actingIn(user, setting);
  ordinaryActivity(logIn(story, who, rng, at, setting, rng.int(1, 3)), who, rng, setting);
}

/** About eight wrong passwords, at home on the usual device, then in, then a new password. */
function forgotten(user: User, story: Story, rng: Rng, at: number): void {
  const who = focused(user);
  const laptop: Setting = { device: user.laptop, network: user.homeNet, focus: true };
  const phone: Setting = {
    device: user.phone,
    network: rng.chance(0.6) ? user.homeNet : user.carrier,
    focus: true,
  };
  const tries = rng.weighted([
    [rng.int(3, 6), 3],
    [rng.int(7, 9), 4],
    [rng.int(10, 14), 2],
  ]);
  // Often the phone first, then the reset from the laptop.
  const first = rng.chance(0.3) ? phone : rng.chance(0.85) ? laptop : phone;
  let t = at;
  for (let i = 0; i < tries; i++) {
    story.loginFailed(t, who.role, user.id, accessOf(first, t, rng), "bad_password");
    t += rng.int(5, 50) * SECOND;
  }
  if (rng.chance(0.2)) {
    story.loginFailed(t, who.role, user.id, accessOf(first, t, rng), "locked");
    t += rng.int(10, 30) * MINUTE;
  }
  const reset = first === phone && rng.chance(0.5) ? laptop : first;
  if (reset !== first) t += rng.int(3, 20) * MINUTE;
  const session = logIn(story, who, rng, t, reset, 0);
  session.change(rng.int(30, 240) * SECOND, "password", "updated");
  if (rng.chance(0.3)) session.change(rng.int(20, 120) * SECOND, "recovery_email", "updated");
  if (rng.chance(0.2)) session.change(rng.int(20, 120) * SECOND, "recovery_phone", "added");
  if (!user.mfa && rng.chance(0.25)) session.change(rng.int(30, 180) * SECOND, "mfa", "enabled");
  ordinaryActivity(session, who, rng, reset);
  if (rng.chance(0.6)) {
    const other = reset.device === user.laptop ? phone : laptop;
    staleDevice(user, story, rng, session.at + rng.between(0.5, 30) * HOUR, { ...other, focus: true });
  }
}

/** The routine, and once or twice a forgotten password and its reset, at home. */
export function liveForgotPassword(user: User, story: Story, rng: Rng, from: number, to: number): void {
  liveRoutine(homeLife(user, from, to), story, rng.fork("routine"));
  for (let i = rng.chance(0.3) ? 2 : 1; i > 0; i--) {
    forgotten(
      user,
      story,
      rng.fork(`reset/${i}`),
      someday(user, rng, from, to, i === 1 ? 0.15 : 0.6, i === 1 ? 0.55 : 0.95),
    );
  }
}

/**
 * A new phone, secured at once: its first login on the usual network (home Wi-Fi or the usual
 * carrier), a new password, a recovery phone, often the authenticator moved to it; then it is the
 * phone from then on.
 */
export function liveNewPhoneSecured(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const at = someday(user, rng, from, to, 0.4, 0.7);
  liveRoutine(homeLife(user, from, at - 24 * HOUR), story, rng.fork("before"));
  // The old phone's last day, on the network the new one will first use.
  const network = rng.chance(0.7) ? user.homeNet : user.carrier;
  const last: Setting = { device: user.phone, network };
  ordinaryActivity(
    logIn(story, user, rng, Math.max(from, at - rng.between(8, 22) * HOUR), last),
    user,
    rng,
    last,
  );
  // Half switch family (iPhone ↔ Android); half buy the newer model of the same (same user agent).
  const agent = rng.chance(0.5)
    ? pickOtherMobileAgent(rng.fork("agent"), user.phone.agent)
    : user.phone.agent;
  const phone = makeDevice(user.id, "phone-secured", agent.kind === "mobile" ? agent : pickMobileAgent(rng));
  const after = { ...user, phone };
  const setting: Setting = {
    device: phone,
    network: rng.chance(0.7) ? user.homeNet : user.carrier,
    focus: true,
  };
  const who = actingIn(after, setting);
  const session = logIn(story, who, rng, at, setting);
  session.modify(rng.int(20, 200) * SECOND, "photo", rng.int(1, 3));
  session.change(rng.int(30, 300) * SECOND, "password", "updated");
  session.change(rng.int(20, 200) * SECOND, "recovery_phone", rng.chance(0.6) ? "added" : "updated");
  if (user.mfa && rng.chance(0.6)) session.change(rng.int(30, 300) * SECOND, "mfa", "updated");
  else if (rng.chance(0.25)) session.change(rng.int(30, 300) * SECOND, "mfa", "added");
  endSession(session, rng);
  if (rng.chance(0.5)) {
    const laptop: Setting = { device: user.laptop, network: user.homeNet, focus: true };
    staleDevice(after, story, rng, session.at + rng.between(0.5, 2.5) * HOUR, laptop);
  }
  liveRoutine(homeLife(after, at + 3 * HOUR, to), story, rng.fork("after"));
}

/**
 * The big cleanup: one evening at home, hundreds (sometimes thousands) of old photos and a few
 * albums deleted in quick batches, over one or two sessions.
 */
export function liveBigCleanup(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const at = someday(user, rng, from, to, 0.2, 0.9);
  liveRoutine(homeLife(user, from, at - 3 * HOUR), story, rng.fork("before"));
  liveRoutine(homeLife(user, at + 6 * HOUR, to), story, rng.fork("after"));
  let t = at;
  for (let part = rng.chance(0.4) ? 2 : 1; part > 0; part--) {
    const setting: Setting = {
      device: rng.chance(0.7) ? user.laptop : user.phone,
      network: user.homeNet,
      focus: true,
    };
    const who = actingIn(user, setting);
    const session = logIn(story, who, rng, t, setting);
    const batches = rng.int(4, 15);
    for (let i = 0; i < batches; i++) session.delete(rng.int(15, 120) * SECOND, "photo", rng.int(30, 250));
    if (rng.chance(0.5)) session.delete(rng.int(20, 120) * SECOND, "album", rng.int(3, 30));
    if (rng.chance(0.3)) session.delete(rng.int(20, 120) * SECOND, "comment", rng.int(5, 40));
    session.end(rng.int(1, 10) * MINUTE, "logout");
    t = session.at + rng.int(20, 90) * MINUTE;
  }
}
