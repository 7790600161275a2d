import { type Account, DAY } from "./account.ts";
import {
  ABROAD,
  addressesIn,
  type Device,
  device,
  HOMES,
  ipv6Host,
  ipv6SubnetOf,
  LAPTOP_AGENTS,
  PHONE_AGENTS,
  relayEgress,
  VPN_EXITS,
} from "./world.ts";

// The stories of the holdout: each is written on an account after its history, from `at`.
// An attack returns the sessions that must reach high; a benign story returns none, and any flag
// it raises at medium or above counts against the detector.

const MIN = 60_000;
const HOUR = 60 * MIN;

export interface Shape {
  name: string;
  attack: boolean;
  /** Whether the story can be told on this account (the runner draws another one when not). */
  fits?(account: Account): boolean;
  write(account: Account, at: number): string[];
}

function foreignIp(account: Account): string {
  const town = account.dice.pick(ABROAD.filter((t) => t.country !== account.home.country));
  return account.dice.pick(addressesIn(town));
}

/** An address elsewhere in the account's own country (another city when there is one). */
function domesticIp(account: Account): string {
  const other = HOMES.filter((t) => t.country === account.home.country && t.city !== account.home.city);
  const town = other.length > 0 ? account.dice.pick(other) : { country: account.home.country };
  return account.dice.pick(addressesIn(town));
}

function change(
  account: Account,
  at: number,
  sessionId: string,
  setting: string,
  action: string,
  extra = {},
): void {
  account.emit(at, { type: "settings.changed", sessionId, setting, action, ...extra });
}

/** The attacker's login that does nothing and logs out `minutes` later. */
function quietVisit(account: Account, at: number, ip: string, dev: Device, minutes = 2): void {
  const s = account.login(at, ip, dev, {}, true);
  account.emit(at + minutes * MIN, { type: "session.ended", sessionId: s, reason: "logout" });
}

/** Another line in the owner's own city (an office, a neighbour, a local proxy): not the home provider's block. */
function elsewhereInTown(account: Account): string {
  const city = addressesIn(account.home).filter((ip) => ip.split(".")[0] !== account.homeIp.split(".")[0]);
  return account.dice.pick(city.length > 0 ? city : addressesIn(account.home));
}

/** Where an attacker's addresses come from: abroad, or elsewhere in the owner's own country. */
type Origin = (account: Account) => string;

/** The owner's laptop session at home, then its cookie used from `origin` to replace the recovery email and the password. */
function cookieReplay(name: string, origin: Origin): Shape {
  return {
    name,
    attack: true,
    write(a, at) {
      const s = a.login(at, a.homeAddress(), a.laptop);
      const ip = origin(a);
      const ua = a.dice.chance(0.5) ? { userAgent: a.laptop.userAgent } : {};
      const t = at + a.dice.int(10, 120) * MIN;
      change(a, t, s, "recovery_email", "updated", { ip, ...ua });
      change(a, t + a.dice.int(1, 6) * MIN, s, "password", "updated", { ip, ...ua });
      return [s];
    },
  };
}

/** A quiet first session from `origin` on a new laptop, the damage in a second one 15 minutes later. */
function laundering(name: string, origin: Origin): Shape {
  return {
    name,
    attack: true,
    write(a, at) {
      const ip = origin(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      quietVisit(a, at, ip, dev);
      const second = a.login(at + 15 * MIN, ip, dev, {}, true);
      change(a, at + 17 * MIN, second, "email", "updated", { ip });
      change(a, at + 18 * MIN, second, "mfa", "disabled", { ip });
      return [second];
    },
  };
}

/** 40 failures over 4 h, each from another address of `origin` and another browser, then a success. */
function slowBruteForce(name: string, origin: Origin): Shape {
  return {
    name,
    attack: true,
    write(a, at) {
      for (let i = 0; i < 40; i++) {
        const dev = device(LAPTOP_AGENTS, a.dice);
        a.emit(at + i * 6 * MIN + a.dice.int(0, 120) * 1000, {
          type: "login.failed",
          ip: origin(a),
          reason: "bad_password",
          userAgent: dev.userAgent,
        });
      }
      const s = a.login(at + 4 * HOUR + 5 * MIN, origin(a), device(LAPTOP_AGENTS, a.dice), {}, true);
      return [s];
    },
  };
}

export const SHAPES: readonly Shape[] = [
  cookieReplay("cookie_replay", foreignIp),
  {
    name: "infostealer_device_copy",
    attack: true,
    write(a, at) {
      const ip = foreignIp(a);
      const s = a.login(at + a.dice.int(1, 60) * HOUR, ip, a.laptop, {}, true);
      const t = at + 61 * HOUR + a.dice.int(1, 5) * MIN;
      change(a, t, s, "email", "updated", { ip, ...a.laptop });
      a.emit(t + 3 * MIN, {
        type: "content.deleted",
        sessionId: s,
        contentType: "album",
        count: a.dice.int(2, 9),
        ip,
      });
      return [s];
    },
  },
  laundering("laundering_second_session", foreignIp),
  slowBruteForce("slow_rotating_brute_force", foreignIp),
  {
    name: "in_session_hijack",
    attack: true,
    write(a, at) {
      const s = a.login(at, a.carrierAddress(), a.phone, { method: "token" });
      const ip = foreignIp(a);
      const t = at + a.dice.int(5, 90) * MIN;
      change(a, t, s, "email", "updated", { ip });
      for (let i = 1; i <= 3; i++)
        a.emit(t + i * MIN, {
          type: "content.deleted",
          sessionId: s,
          contentType: "album",
          count: a.dice.int(1, 4),
          ip,
        });
      return [s];
    },
  },
  {
    name: "far_login_same_laptop",
    attack: true,
    write(a, at) {
      a.login(at, a.homeAddress(), a.laptop);
      const far = ABROAD.filter((t) => t.country !== a.home.country);
      const s = a.login(at + 25 * MIN, a.dice.pick(addressesIn(a.dice.pick(far))), a.laptop, {}, true);
      return [s];
    },
  },
  {
    name: "new_region_device_then_recovery",
    attack: true,
    write(a, at) {
      const ip = domesticIp(a);
      const s = a.login(at, ip, device(LAPTOP_AGENTS, a.dice), {}, true);
      change(a, at + 4 * MIN, s, "recovery_email", "updated");
      change(a, at + 6 * MIN, s, "password", "updated");
      return [s];
    },
  },
  {
    name: "push_fatigue_then_token",
    attack: true,
    write(a, at) {
      const ip = foreignIp(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      for (let i = 0; i < 3; i++)
        a.emit(at + i * 2 * MIN, {
          type: "login.failed",
          ip,
          reason: "mfa_failed",
          userId: a.userId,
          ...dev,
        });
      const s = a.login(at + 8 * MIN, ip, dev, { mfa: true }, true);
      change(a, at + 10 * MIN, s, "api_token", "added");
      return [s];
    },
  },
  {
    name: "local_proxy_takeover",
    attack: true,
    write(a, at) {
      const ip = elsewhereInTown(a);
      const s = a.login(at, ip, device(LAPTOP_AGENTS, a.dice), {}, true);
      change(a, at + 3 * MIN, s, "email", "updated");
      change(a, at + 4 * MIN, s, "mfa", "disabled");
      change(a, at + 5 * MIN, s, "api_token", "added");
      return [s];
    },
  },
  {
    name: "typos_then_new_password",
    attack: false,
    write(a, at) {
      const ip = a.homeAddress();
      for (let i = 0; i < 8; i++)
        a.emit(at + i * 40_000, { type: "login.failed", ip, reason: "bad_password", ...a.laptop });
      const s = a.login(at + 6 * MIN, ip, a.laptop);
      change(a, at + 8 * MIN, s, "password", "updated");
      return [];
    },
  },
  {
    name: "roaming_hotel_and_home_carrier",
    attack: false,
    write(a, at) {
      const town = a.dice.pick(ABROAD.filter((t) => t.country !== a.home.country));
      const hotel = a.dice.pick(addressesIn(town));
      const arrive = at + a.dice.int(9, 14) * HOUR;
      for (let day = 0; day < 3; day++) {
        const t = arrive + day * DAY;
        a.login(t, hotel, a.laptop);
        a.login(t + 20 * MIN, a.carrierAddress(), a.phone, { method: "token" });
      }
      return [];
    },
  },
  {
    name: "vpn_toggle",
    attack: false,
    write(a, at) {
      const exit = a.dice.pick(
        addressesIn(a.dice.pick(VPN_EXITS.filter((t) => t.country !== a.home.country))),
      );
      for (let day = 0; day < 3; day++) {
        const t = at + day * DAY + a.dice.int(0, 3) * HOUR;
        a.login(t, exit, a.laptop);
        a.login(t + 30 * MIN, a.homeAddress(), a.laptop);
      }
      return [];
    },
  },
  {
    name: "new_phone_secured",
    attack: false,
    write(a, at) {
      const s = a.login(at, a.homeAddress(), device(PHONE_AGENTS, a.dice));
      change(a, at + 3 * MIN, s, "password", "updated");
      change(a, at + 5 * MIN, s, "recovery_phone", "added");
      return [];
    },
  },
  {
    name: "big_cleanup",
    attack: false,
    write(a, at) {
      const s = a.login(at, a.homeAddress(), a.laptop);
      for (let i = 0; i < 12; i++)
        a.emit(at + (i + 1) * 8 * MIN, {
          type: "content.deleted",
          sessionId: s,
          contentType: "photo",
          count: a.dice.int(20, 60),
        });
      a.emit(at + 100 * MIN, { type: "content.deleted", sessionId: s, contentType: "album", count: 3 });
      return [];
    },
  },
  {
    name: "trip_then_secures_account",
    attack: false,
    write(a, at) {
      const town = a.dice.pick(ABROAD.filter((t) => t.country !== a.home.country));
      const t = at + 14 * HOUR;
      const s = a.login(t, a.dice.pick(addressesIn(town)), a.phone, { method: "token" });
      change(a, t + 10 * MIN, s, "mfa", "enabled");
      change(a, t + 12 * MIN, s, "password", "updated");
      return [];
    },
  },
  {
    name: "patient_laundering",
    attack: true,
    write(a, at) {
      const ip = foreignIp(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      quietVisit(a, at, ip, dev);
      const back = at + a.dice.int(3, 6) * DAY + a.dice.int(0, 8) * HOUR;
      const s = a.login(back, ip, dev, {}, true);
      change(a, back + 3 * MIN, s, "email", "updated", { ip });
      change(a, back + 4 * MIN, s, "mfa", "disabled", { ip });
      return [s];
    },
  },
  {
    name: "forged_session_changes",
    attack: true,
    write(a, at) {
      const ip = foreignIp(a);
      const s = a.id("s");
      change(a, at, s, "email", "updated", { ip, ...a.laptop });
      change(a, at + 2 * MIN, s, "password", "updated", { ip, ...a.laptop });
      a.emit(at + 4 * MIN, {
        type: "content.deleted",
        sessionId: s,
        contentType: "album",
        count: a.dice.int(2, 6),
        ip,
      });
      return [s];
    },
  },
  {
    name: "domestic_vpn_copied_laptop",
    attack: true,
    write(a, at) {
      const ip = domesticIp(a);
      const s = a.login(at + a.dice.int(2, 30) * HOUR, ip, a.laptop, {}, true);
      const t = at + 31 * HOUR;
      change(a, t, s, "email", "updated", { ip, ...a.laptop });
      change(a, t + 2 * MIN, s, "recovery_phone", "updated", { ip, ...a.laptop });
      return [s];
    },
  },
  {
    name: "private_browsing_owner",
    attack: false,
    write(a, at) {
      let s = "";
      for (let day = 0; day < 6; day++) {
        const t = at + day * DAY + a.dice.int(0, 3) * HOUR;
        s = a.login(t, a.homeAddress(), { userAgent: a.laptop.userAgent, deviceId: `d-${a.dice.hex(16)}` });
      }
      const t = at + 5 * DAY + 4 * HOUR;
      change(a, t, s, "password", "updated");
      change(a, t + 2 * MIN, s, "recovery_phone", "added");
      return [];
    },
  },
  {
    name: "privacy_exfiltration",
    attack: true,
    write(a, at) {
      const ip = foreignIp(a);
      const s = a.login(at, ip, device(LAPTOP_AGENTS, a.dice), {}, true);
      change(a, at + 3 * MIN, s, "privacy", "updated", { ip });
      a.emit(at + 6 * MIN, {
        type: "content.modified",
        sessionId: s,
        contentType: "album",
        count: a.dice.int(2, 8),
        ip,
      });
      return [s];
    },
  },
  cookieReplay("domestic_cookie_replay", domesticIp),
  laundering("domestic_laundering", domesticIp),
  slowBruteForce("domestic_slow_brute_force", domesticIp),
  {
    name: "moved_house",
    attack: false,
    write(a, at) {
      const ip = domesticIp(a);
      let s = "";
      for (let day = 0; day < 5; day++) s = a.login(at + day * DAY + a.dice.int(0, 4) * HOUR, ip, a.laptop);
      change(a, at + 4 * DAY + 5 * HOUR, s, "password", "updated");
      return [];
    },
  },
  {
    name: "laptop_on_the_move",
    attack: false,
    write(a, at) {
      const s = a.login(at, a.homeAddress(), a.laptop);
      const tethered = a.carrierAddress();
      a.emit(at + 40 * MIN, {
        type: "content.modified",
        sessionId: s,
        contentType: "photo",
        count: 2,
        ip: tethered,
        ...a.laptop,
      });
      const office = elsewhereInTown(a);
      change(a, at + 3 * HOUR, s, "password", "updated", { ip: office, ...a.laptop });
      change(a, at + 3 * HOUR + 2 * MIN, s, "recovery_phone", "added", { ip: office, ...a.laptop });
      return [];
    },
  },
  {
    name: "tethered_email_change",
    attack: false,
    write(a, at) {
      const s = a.login(at, a.carrierAddress(), a.laptop);
      change(a, at + 5 * MIN, s, "email", "updated");
      return [];
    },
  },
  {
    name: "new_phone_typos",
    attack: false,
    write(a, at) {
      const ip = a.homeAddress();
      const phone = device(PHONE_AGENTS, a.dice);
      for (let i = 0; i < 8; i++)
        a.emit(at + i * 40_000, { type: "login.failed", ip, reason: "bad_password", ...phone });
      const s = a.login(at + 6 * MIN, ip, phone);
      change(a, at + 8 * MIN, s, "password", "updated");
      return [];
    },
  },
  {
    name: "rotating_vpn_owner",
    attack: false,
    write(a, at) {
      let s = "";
      for (let day = 0; day < 10; day++) {
        const exits = VPN_EXITS.filter((t) => t.country !== a.home.country);
        const exit = a.dice.pick(addressesIn(a.dice.pick(exits)));
        s = a.login(at + day * DAY + a.dice.int(0, 3) * HOUR, exit, a.laptop);
      }
      change(a, at + 9 * DAY + 4 * HOUR, s, "password", "updated");
      return [];
    },
  },
  {
    name: "dual_stack_home",
    attack: false,
    fits: (a) => homeIpv6(a) !== null,
    write(a, at) {
      // A week on a dual-stack line: each evening's privacy address, and the browser going over
      // IPv4 or IPv6 for each request as happy eyeballs picks.
      const subnet = homeIpv6(a) as string;
      let s = "";
      let host = "";
      for (let day = 0; day < 7; day++) {
        const t = at + day * DAY + a.dice.int(0, 3) * HOUR;
        host = ipv6Host(subnet, a.dice);
        const overIpv6 = a.dice.chance(0.5);
        s = a.login(t, overIpv6 ? host : a.homeAddress(), a.laptop);
        a.emit(t + a.dice.int(5, 40) * MIN, {
          type: "content.modified",
          sessionId: s,
          contentType: "photo",
          count: a.dice.int(1, 4),
          ip: overIpv6 ? a.homeAddress() : host,
          ...a.laptop,
        });
      }
      const t = at + 6 * DAY + 4 * HOUR;
      change(a, t, s, "email", "updated", { ip: host, ...a.laptop });
      change(a, t + 2 * MIN, s, "password", "updated", { ip: host, ...a.laptop });
      change(a, t + 4 * MIN, s, "recovery_phone", "added", { ip: a.homeAddress(), ...a.laptop });
      return [];
    },
  },
  {
    name: "ipv6_switched_on",
    attack: false,
    fits: (a) => homeIpv6(a) !== null,
    write(a, at) {
      // The provider turns IPv6 on: the evening's session goes on over the line's first IPv6 address.
      const host = ipv6Host(homeIpv6(a) as string, a.dice);
      const s = a.login(at, a.homeAddress(), a.laptop);
      const t = at + a.dice.int(10, 60) * MIN;
      a.emit(t, {
        type: "content.modified",
        sessionId: s,
        contentType: "photo",
        count: 2,
        ip: host,
        ...a.laptop,
      });
      change(a, t + 5 * MIN, s, "password", "updated", { ip: host, ...a.laptop });
      change(a, t + 7 * MIN, s, "recovery_phone", "added", { ip: host, ...a.laptop });
      return [];
    },
  },
  {
    name: "ipv6_mobile_carrier",
    attack: false,
    fits: (a) => carrierIpv6(a).length > 0,
    write(a, at) {
      // The phone's carrier moves it to IPv6: a new prefix of the carrier's at every connection.
      const pool = carrierIpv6(a);
      let s = "";
      for (let day = 0; day < 7; day++)
        for (let n = 0; n < 2; n++)
          s = a.login(
            at + day * DAY + a.dice.int(7, 23) * HOUR,
            ipv6Host(a.dice.pick(pool), a.dice),
            a.phone,
            { method: "token" },
          );
      const t = at + 6 * DAY + 23 * HOUR + 30 * MIN;
      change(a, t, s, "password", "updated");
      change(a, t + 2 * MIN, s, "recovery_phone", "added");
      return [];
    },
  },
  {
    name: "aitm_phishing_domestic",
    attack: true,
    write(a, at) {
      // An adversary-in-the-middle kit relays the owner's login (their browser's user agent, their
      // second factor) from a server in the owner's country; the kit's browser has no device cookie.
      const ip = domesticIp(a);
      const kit = { userAgent: a.laptop.userAgent, deviceId: `d-${a.dice.hex(16)}` };
      const s = a.login(at, ip, kit, { mfa: true }, true);
      const t = at + a.dice.int(2, 20) * MIN;
      change(a, t, s, "mfa", "added", { ip, ...kit });
      change(a, t + 2 * MIN, s, "api_token", "added", { ip, ...kit });
      change(a, t + 4 * MIN, s, "recovery_email", "updated", { ip, ...kit });
      return [s];
    },
  },
  {
    name: "carrier_proxy_takeover",
    attack: true,
    write(a, at) {
      // A mobile proxy on the owner's own carrier (a network and country the account knows through
      // the phone), a laptop never seen: the email and the second factor go.
      const ip = a.carrierAddress();
      const dev = device(LAPTOP_AGENTS, a.dice);
      const s = a.login(at, ip, dev, {}, true);
      change(a, at + 3 * MIN, s, "email", "updated", { ip, ...dev });
      change(a, at + 5 * MIN, s, "mfa", "disabled", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "phone_cookie_replay_domestic",
    attack: true,
    write(a, at) {
      // The phone's session cookie (and its user agent) replayed from another city of the country.
      const s = a.login(at, a.carrierAddress(), a.phone, { method: "token" });
      const ip = domesticIp(a);
      const t = at + a.dice.int(10, 120) * MIN;
      change(a, t, s, "recovery_email", "updated", { ip, userAgent: a.phone.userAgent });
      change(a, t + 3 * MIN, s, "password", "updated", { ip, userAgent: a.phone.userAgent });
      return [s];
    },
  },
  {
    name: "domestic_patient_laundering",
    attack: true,
    write(a, at) {
      // A quiet probe from another city with the owner's browser, 13 h to be learned, then the damage.
      const ip = domesticIp(a);
      const dev = { userAgent: a.laptop.userAgent, deviceId: `d-${a.dice.hex(16)}` };
      quietVisit(a, at, ip, dev);
      const back = at + 13 * HOUR + a.dice.int(0, 8) * HOUR;
      const s = a.login(back, ip, dev, {}, true);
      change(a, back + 3 * MIN, s, "email", "updated", { ip, ...dev });
      change(a, back + 4 * MIN, s, "mfa", "disabled", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "slow_wipe_copied_laptop",
    attack: true,
    write(a, at) {
      // The owner's copied laptop from abroad, a few albums a day, never anything else.
      const ip = foreignIp(a);
      const sessions: string[] = [];
      for (let day = 0; day < 6; day++) {
        const t = at + day * DAY + a.dice.int(0, 6) * HOUR;
        const s = a.login(t, ip, a.laptop, {}, true);
        a.emit(t + 5 * MIN, { type: "content.deleted", sessionId: s, contentType: "album", count: 2, ip });
        sessions.push(s);
      }
      return sessions;
    },
  },
  {
    name: "browser_updated_then_secures",
    attack: false,
    write(a, at) {
      // The browser updates itself (a new major version in the user agent); the owner then changes
      // the password and the email at home.
      const updated = {
        userAgent: a.laptop.userAgent.replace(
          /(Chrome|Firefox|Version)\/(\d+)/,
          (_m, name: string, v: string) => `${name}/${Number(v) + 1}`,
        ),
        deviceId: a.laptop.deviceId,
      };
      let s = "";
      for (let day = 0; day < 3; day++)
        s = a.login(at + day * DAY + a.dice.int(0, 3) * HOUR, a.homeAddress(), updated);
      const t = at + 2 * DAY + 4 * HOUR;
      change(a, t, s, "password", "updated");
      change(a, t + 2 * MIN, s, "email", "updated");
      return [];
    },
  },
  {
    name: "household_partner",
    attack: false,
    write(a, at) {
      // The partner signs in on their own laptop at home every few days; once they tidy up albums.
      const partner = device(LAPTOP_AGENTS, a.dice);
      let s = "";
      for (let day = 0; day < 12; day += a.dice.int(1, 3))
        s = a.login(at + day * DAY + a.dice.int(0, 5) * HOUR, a.homeAddress(), partner);
      a.emit(at + 12 * DAY, { type: "content.deleted", sessionId: s, contentType: "album", count: 3 });
      a.emit(at + 12 * DAY + 5 * MIN, {
        type: "content.modified",
        sessionId: s,
        contentType: "photo",
        count: 12,
      });
      return [];
    },
  },
  {
    name: "phone_on_a_domestic_trip",
    attack: false,
    write(a, at) {
      // The phone's session goes on in another city of the country, on the Wi-Fi of a hotel or a
      // friend; photos are uploaded there, and the owner changes the password, adding a recovery phone.
      const s = a.login(at, a.carrierAddress(), a.phone, { method: "token" });
      const ip = domesticIp(a);
      const t = at + a.dice.int(2, 10) * HOUR;
      a.emit(t, {
        type: "content.modified",
        sessionId: s,
        contentType: "photo",
        count: a.dice.int(3, 20),
        ip,
        userAgent: a.phone.userAgent,
      });
      change(a, t + a.dice.int(10, 60) * MIN, s, "password", "updated", { ip, userAgent: a.phone.userAgent });
      change(a, t + 62 * MIN, s, "recovery_phone", "added", { ip, userAgent: a.phone.userAgent });
      return [];
    },
  },
  {
    name: "quiet_persistence_domestic",
    attack: true,
    write(a, at) {
      // The right password from another city of the country, a laptop never seen: nothing is
      // replaced, only added: the attacker's own recovery phone and authenticator, for later.
      const ip = domesticIp(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      const s = a.login(at, ip, dev, {}, true);
      change(a, at + 2 * MIN, s, "recovery_phone", "added", { ip, ...dev });
      change(a, at + 4 * MIN, s, "mfa", "added", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "push_fatigue_domestic",
    attack: true,
    write(a, at) {
      const ip = domesticIp(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      for (let i = 0; i < 3; i++)
        a.emit(at + i * 2 * MIN, { type: "login.failed", ip, reason: "mfa_failed", ...dev });
      const s = a.login(at + 8 * MIN, ip, dev, { mfa: true }, true);
      change(a, at + 10 * MIN, s, "api_token", "added", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "new_laptop_at_work_secures",
    attack: false,
    write(a, at) {
      // A new work laptop, first used at the office (another provider in the home city): the owner
      // signs in and secures the account there.
      const office = elsewhereInTown(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      const s = a.login(at, office, dev);
      change(a, at + 3 * MIN, s, "password", "updated", { ip: office, ...dev });
      change(a, at + 5 * MIN, s, "mfa", "enabled", { ip: office, ...dev });
      change(a, at + 6 * MIN, s, "recovery_phone", "added", { ip: office, ...dev });
      return [];
    },
  },
  groomedPlace("groomed_place_abroad", foreignIp),
  groomedPlace("groomed_place_domestic", domesticIp),
  {
    name: "private_relay_owner",
    attack: false,
    fits: (a) => relayEgress(a.home.country).length >= 4,
    write(a, at) {
      // The owner turns a privacy relay on for the laptop: every connection leaves through a CDN's
      // egress in the owner's country, another provider and /24 each time, also within a session.
      // A week of it, then a new password and a new email.
      const pool = relayEgress(a.home.country);
      const relayed = () => ({ ip: a.dice.pick(pool), ...a.laptop });
      let s = "";
      let t = at;
      for (let day = 0; day < 7; day++) {
        t = at + day * DAY + a.dice.int(0, 4) * HOUR;
        s = a.login(t, a.dice.pick(pool), a.laptop);
        for (let k = 1; k <= 3; k++)
          a.emit(t + k * 10 * MIN, {
            type: "content.modified",
            sessionId: s,
            contentType: "photo",
            count: 1,
            ...relayed(),
          });
      }
      change(a, t + 45 * MIN, s, "password", "updated", relayed());
      change(a, t + 47 * MIN, s, "email", "updated", relayed());
      return [];
    },
  },
  {
    name: "reset_through_stolen_mailbox",
    attack: true,
    write(a, at) {
      // The owner's mailbox is the intruder's (the breach's other half): "forgot password" from another
      // city of the country on a laptop never seen, the reset recorded in the session the link opened,
      // then a login with the new password and the email replaced to keep the account.
      const ip = domesticIp(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      const link = a.id("s");
      change(a, at, link, "password", "updated", { ip, ...dev });
      const s = a.login(at + 2 * MIN, ip, dev, {}, true);
      change(a, at + 5 * MIN, s, "email", "updated", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "phone_email_change_on_cafe_wifi",
    attack: false,
    write(a, at) {
      // The phone's session on its carrier, then on a café's Wi-Fi in the home city (another
      // provider): the owner replaces the email there.
      const s = a.login(at, a.carrierAddress(), a.phone, { method: "token" });
      const cafe = elsewhereInTown(a);
      const t = at + a.dice.int(10, 60) * MIN;
      a.emit(t, {
        type: "content.modified",
        sessionId: s,
        contentType: "photo",
        count: 1,
        ip: cafe,
        ...a.phone,
      });
      change(a, t + 5 * MIN, s, "email", "updated", { ip: cafe, ...a.phone });
      return [];
    },
  },
  {
    name: "sim_swap",
    attack: true,
    write(a, at) {
      // The owner's number ported to the intruder's SIM on the same carrier: the breach's password and
      // the SMS code sign in a phone never seen, on the carrier the account knows; then the email and
      // the second factor go.
      const ip = a.carrierAddress();
      const dev = device(PHONE_AGENTS, a.dice);
      const s = a.login(at, ip, dev, { method: "password", mfa: true }, true);
      change(a, at + 4 * MIN, s, "email", "updated", { ip, ...dev });
      change(a, at + 6 * MIN, s, "mfa", "disabled", { ip, ...dev });
      return [s];
    },
  },
  {
    name: "new_laptop_at_a_friends",
    attack: false,
    write(a, at) {
      // The cost side of the new-device grooming threshold: the owner's new laptop (their usual
      // browser, a device id never seen) first used at a friend's in town on another provider, a
      // short visit; a week or two later, back there, the owner replaces the email.
      const ip = elsewhereInTown(a);
      const dev = { userAgent: a.laptop.userAgent, deviceId: `d-${a.dice.hex(16)}` };
      quietVisit(a, at, ip, dev, a.dice.int(5, 40));
      const back = at + a.dice.int(5, 14) * DAY + a.dice.int(0, 6) * HOUR;
      const s = a.login(back, ip, dev, {}, true);
      change(a, back + a.dice.int(3, 30) * MIN, s, "email", "updated", { ip, ...dev });
      return [];
    },
  },
];

/**
 * An attacker who knows that quiet sessions are learned: five short, harmless visits from the same
 * place and laptop two or three days apart, and only then the damage.
 */
function groomedPlace(name: string, origin: Origin): Shape {
  return {
    name,
    attack: true,
    write(a, at) {
      const ip = origin(a);
      const dev = device(LAPTOP_AGENTS, a.dice);
      let t = at;
      for (let visit = 0; visit < 5; visit++) {
        quietVisit(a, t, ip, dev, a.dice.int(2, 15));
        t += a.dice.int(2, 3) * DAY + a.dice.int(0, 6) * HOUR;
      }
      const s = a.login(t, ip, dev, {}, true);
      change(a, t + 3 * MIN, s, "email", "updated", { ip, ...dev });
      change(a, t + 4 * MIN, s, "mfa", "disabled", { ip, ...dev });
      return [s];
    },
  };
}

const ipv6Homes = new Map<string, string | null>();

/** The /64 of the owner's home line on its provider's IPv6 side, when the data know one. */
function homeIpv6(a: Account): string | null {
  if (!ipv6Homes.has(a.userId)) ipv6Homes.set(a.userId, ipv6SubnetOf(a.homeIp, a.home.country, a.dice));
  return ipv6Homes.get(a.userId) ?? null;
}

/** /64s of the phone's carrier on IPv6 (one drawn per connection). */
function carrierIpv6(a: Account): string[] {
  const pool: string[] = [];
  for (let n = 0; n < 8; n++) {
    const subnet = ipv6SubnetOf(a.carrier[0] as string, a.home.country, a.dice);
    if (subnet !== null) pool.push(subnet);
  }
  return pool;
}
