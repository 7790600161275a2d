import { asnOf } from "@vigil/geo";
import { planTrip } from "./journeys.ts";
import type { Network } from "./network.ts";
import { makeNetwork, sharedNetwork } from "./network.ts";
import type { City } from "./places.ts";
import { CITIES, citiesOf } from "./places.ts";
import { Rng } from "./random.ts";
import type { Life } from "./routine.ts";
import { liveRoutine, logIn, MAX_SESSION, ordinaryActivity, usualTime } from "./routine.ts";
import type { Story } from "./story.ts";
import { DAY, HOUR, MINUTE } from "./story.ts";
import type { Setting, User } from "./users.ts";
import { actingIn, homeSetting } from "./users.ts";

// Benign users whose addresses do not say where they are: a commercial VPN switched on and off,
// a phone roaming on its home carrier while its owner sits in a hotel abroad, and phones hopping
// between a country's carriers (whose gateways geolocate wherever the carrier put them).

/** Where commercial VPN providers' exits are: hosting networks in a few hub cities. */
const VPN_EXITS: readonly City[] = [
  CITIES.amsterdam,
  CITIES.frankfurt,
  CITIES.london,
  CITIES.newYork,
  CITIES.ashburn,
  CITIES.singapore,
  CITIES.tokyo,
  CITIES.lisbon,
];

/** Exits of one provider are shared by its many users: a handful of /24s per city. */
const VPN_SLOTS = 3;

/** The user's VPN exits, the favourite first: a function of the user alone, as a subscription is. */
export function vpnExits(user: User): Network[] {
  const rng = new Rng(`vigil-simulator/vpn/${user.id}`);
  const abroad = VPN_EXITS.filter((c) => c.country !== user.home.country);
  const favourite = rng.pick(abroad);
  const second = rng.chance(0.5) ? favourite : rng.pick(abroad);
  return [favourite, second].map((city, i) =>
    sharedNetwork("hosting", city, (rng.int(0, VPN_SLOTS - 1) + i) % VPN_SLOTS),
  );
}

/** Session on the VPN's exit: the laptop mostly, sometimes the phone. */
function onVpn(user: User, rng: Rng, exits: readonly Network[]): Setting {
  const network = rng.chance(0.8) ? (exits[0] as Network) : (exits[1] as Network);
  return { device: rng.chance(0.7) ? user.laptop : user.phone, network, focus: true };
}

/**
 * A VPN user: a third of their sessions through a commercial exit in another country, the rest at
 * home; several times a week the VPN is switched off (or on) within the hour, so that home and the
 * exit follow each other minutes apart, again and again.
 */
export function liveVpnUser(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const exits = vpnExits(user);
  const life: Life = {
    user,
    from,
    to,
    setting: (_at, r) => (r.chance(0.3) ? onVpn(user, r, exits) : homeSetting(user, r)),
  };
  liveRoutine(life, story, rng.fork("routine"));
  const weeks = (to - from) / (7 * DAY);
  const toggles = rng.poisson(Math.max(1, weeks * rng.between(1, 4)));
  for (let i = 0; i < toggles; i++) {
    const r = rng.fork(`toggle/${i}`);
    const first = usualTime(user, r, from + r.next() * (to - from - DAY));
    if (first >= to - MAX_SESSION - HOUR) continue;
    const vpn = onVpn(user, r, exits);
    const home: Setting = { ...homeSetting(user, r), focus: true };
    const [a, b] = r.chance(0.7) ? [vpn, home] : [home, vpn];
    const one = logIn(story, actingIn(user, a), r, first, a);
    ordinaryActivity(one, actingIn(user, a), r, a);
    const later = first + r.int(15, 45) * MINUTE;
    ordinaryActivity(logIn(story, actingIn(user, b), r, later, b), actingIn(user, b), r, b);
  }
}

/**
 * A trip abroad with the laptop on hotel Wi-Fi and the phone roaming on the home carrier, whose
 * addresses geolocate at home: each day abroad the two alternate minutes apart.
 */
export function liveRoamingTraveller(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const trip = planTrip(user, rng.fork("trip"), from, to);
  const hotel = makeNetwork("wifi", trip.destination, rng.fork("hotel"), `${user.id}/hotel`);
  const abroad = (at: number) => at >= trip.arrives + HOUR && at < trip.returns - 3 * HOUR;
  const life: Life = {
    user,
    from,
    to,
    setting(at, r) {
      if (at < trip.departs - 3 * HOUR || at >= trip.home + HOUR) return homeSetting(user, r);
      if (!abroad(at)) return null;
      if (r.chance(0.45)) return { device: user.laptop, network: hotel, focus: true };
      return { device: user.phone, network: r.chance(0.6) ? user.carrier : hotel, focus: true };
    },
  };
  liveRoutine(life, story, rng.fork("routine"));
  for (let day = trip.arrives + 2 * HOUR; day < trip.returns - 8 * HOUR; day += DAY) {
    const r = rng.fork(`day/${day}`);
    const at = day + r.between(0, 12) * HOUR;
    if (!abroad(at) || at >= to - MAX_SESSION - HOUR) continue;
    const wifi: Setting = { device: r.chance(0.7) ? user.laptop : user.phone, network: hotel, focus: true };
    const roaming: Setting = { device: user.phone, network: user.carrier, focus: true };
    const [a, b] = r.chance(0.6) ? [wifi, roaming] : [roaming, wifi];
    const who = actingIn(user, a);
    ordinaryActivity(logIn(story, who, r, at, a), who, r, a);
    const later = at + r.int(10, 30) * MINUTE;
    ordinaryActivity(logIn(story, who, r, later, b), who, r, b);
  }
}

/** The country's mobile networks, preferring ones of different autonomous systems. */
function countryCarriers(user: User, rng: Rng): Network[] {
  const cities = citiesOf(user.home.country);
  const candidates: Network[] = [];
  for (const city of cities)
    for (let slot = 0; slot < 8; slot++) candidates.push(sharedNetwork("mobile", city, slot));
  const picked: Network[] = [];
  const asns = new Set<number>([asnOf(user.carrier.addresses[0] as string)?.number ?? -1]);
  for (const network of rng.shuffle(candidates)) {
    if (network.key === user.carrier.key || picked.length >= 4) continue;
    const asn = asnOf(network.addresses[0] as string)?.number;
    if (asn !== undefined && asns.has(asn)) continue;
    if (asn !== undefined) asns.add(asn);
    picked.push(network);
  }
  return picked.length > 0 ? picked : [user.carrier];
}

/**
 * A phone that hops between a country's networks: a second SIM, a cheaper data plan, a weekend in
 * another city, a café's Wi-Fi. Carrier gateways geolocate wherever the carrier put them, so the
 * same phone appears in several cities of the country within hours.
 */
export function liveCarrierHopper(user: User, story: Story, rng: Rng, from: number, to: number): void {
  const carriers = countryCarriers(user, rng.fork("carriers"));
  const cafe = makeNetwork("wifi", user.home, rng.fork("cafe"), `${user.id}/cafe`);
  const life: Life = {
    user,
    from,
    to,
    setting(_at, r) {
      const roll = r.next();
      if (roll < 0.45) return homeSetting(user, r);
      if (roll < 0.9) return { device: user.phone, network: r.pick(carriers), focus: true };
      return { device: r.chance(0.7) ? user.phone : user.laptop, network: cafe, focus: true };
    },
  };
  liveRoutine(life, story, rng.fork("routine"));
  // Hops: the phone on one network, then within the hour or two on another operator's.
  const hops = 1 + rng.poisson(((to - from) / (7 * DAY)) * 1.5);
  for (let i = 0; i < hops; i++) {
    const r = rng.fork(`hop/${i}`);
    const first = usualTime(user, r, from + r.next() * (to - from - DAY));
    if (first >= to - MAX_SESSION - 2 * HOUR) continue;
    const [a, b] = r.sample(carriers.length > 1 ? carriers : [...carriers, user.carrier], 2) as [
      Network,
      Network,
    ];
    for (const [network, t] of [
      [a, first],
      [b, first + r.int(10, 120) * MINUTE],
    ] as const) {
      const setting: Setting = { device: user.phone, network, focus: true };
      const who = actingIn(user, setting);
      ordinaryActivity(logIn(story, who, r, t, setting), who, r, setting);
    }
  }
}
