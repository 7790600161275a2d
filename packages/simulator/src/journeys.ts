import { makeNetwork, sharedNetwork } from "./network.ts";
import type { City } from "./places.ts";
import { COMMUTES, cityDistanceKm, DESTINATIONS } from "./places.ts";
import type { Rng } from "./random.ts";
import { hash128 } from "./random.ts";
import type { Life } from "./routine.ts";
import { liveRoutine, logIn, MAX_SESSION, ordinaryActivity } from "./routine.ts";
import type { Story } from "./story.ts";
import { DAY, HOUR } from "./story.ts";
import type { Setting, User } from "./users.ts";
import { homeSetting } from "./users.ts";

// Benign movement: commuters who work in a neighbouring city, and travellers who fly abroad and
// back. Both are where naive "new place" rules cry wolf, so the timing must be physically possible:
// nobody logs in from a place they could not have reached since their previous login.

/** Cruise speed plus taxiing and climb: a flight of d km takes d / 800 h + 1 h. */
export const FLIGHT_KMH = 800;

export function commuteOf(home: City): City | undefined {
  return COMMUTES.find(([from]) => from === home)?.[1];
}

/** Weekdays: on the train (carrier) 6:30–8:15 and 17:30–19:00, at the office 9:00–17:00, home otherwise. */
export function commuterLife(user: User, work: City, from: number, to: number): Life {
  const office = sharedNetwork("office", work, (hash128(user.id)[0] ?? 0) % 16);
  const offset = user.home.utcOffset * HOUR;
  return {
    user,
    from,
    to,
    setting(at: number, rng: Rng): Setting | null {
      const local = new Date(at + offset);
      const weekday = local.getUTCDay() >= 1 && local.getUTCDay() <= 5;
      const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
      if (!weekday || hour < 6.5 || hour >= 19) return homeSetting(user, rng);
      if (hour < 8.25 || hour >= 17.5) return { device: user.phone, network: user.carrier };
      if (hour >= 9 && hour < 17)
        return { device: rng.chance(0.6) ? user.laptop : user.phone, network: office };
      return null; // walking between station and office
    },
  };
}

export interface Trip {
  destination: City;
  /** Wheels up and touchdown, both ways, in ms. */
  departs: number;
  arrives: number;
  returns: number;
  home: number;
}

/** A trip of 2–8 days that starts and ends inside [from, to), to a city in another country. */
export function planTrip(user: User, rng: Rng, from: number, to: number): Trip {
  const destination = rng.pick(DESTINATIONS.filter((city) => city.country !== user.home.country));
  const flight = (cityDistanceKm(user.home, destination) / FLIGHT_KMH) * HOUR + HOUR;
  const span = to - from;
  const departs = from + span * rng.between(0.2, 0.4);
  const stay = Math.min(rng.between(2, 8) * DAY, Math.max(span * 0.3, 12 * HOUR));
  const arrives = departs + flight;
  const returns = arrives + stay;
  return { destination, departs, arrives, returns, home: returns + flight };
}

/**
 * Home until three hours before the flight, offline in the air, then on hotel Wi-Fi or a local
 * eSIM abroad (a roaming phone would surface at home, which no detector could tell from a thief).
 */
export function travellerLife(user: User, trip: Trip, rng: Rng, from: number, to: number): Life {
  const hotel = makeNetwork("wifi", trip.destination, rng.fork("hotel"), `${user.id}/hotel`);
  const esim = sharedNetwork("mobile", trip.destination, 0);
  return {
    user,
    from,
    to,
    setting(at: number, rng: Rng): Setting | null {
      if (at < trip.departs - 3 * HOUR || at >= trip.home + HOUR) return homeSetting(user, rng);
      if (at < trip.arrives + HOUR || at >= trip.returns - 3 * HOUR) return null;
      if (rng.chance(0.4)) return { device: user.laptop, network: hotel };
      return { device: user.phone, network: rng.chance(0.6) ? hotel : esim };
    },
  };
}

/** The traveller's routine plus a check-in from the hotel and a login once home again. */
export function liveTravel(user: User, story: Story, rng: Rng, from: number, to: number): Trip {
  const trip = planTrip(user, rng.fork("trip"), from, to);
  const life = travellerLife(user, trip, rng, from, to);
  liveRoutine(life, story, rng.fork("routine"));
  // Checking in online the day before: the trip always starts from a login at home.
  const packing = Math.max(from, trip.departs - rng.between(6, 20) * HOUR);
  const before = homeSetting(user, rng);
  if (packing < trip.departs - 4 * HOUR)
    ordinaryActivity(logIn(story, user, rng, packing, before), user, rng, before);
  const landed = trip.arrives + HOUR + rng.int(0, 2 * HOUR);
  const abroad = life.setting(landed, rng);
  if (abroad !== null && landed < to - MAX_SESSION) {
    ordinaryActivity(logIn(story, user, rng, landed, abroad), user, rng, abroad);
  }
  const back = trip.home + HOUR + rng.int(0, 3 * HOUR);
  const home = homeSetting(user, rng);
  if (back < to - MAX_SESSION) ordinaryActivity(logIn(story, user, rng, back, home), user, rng, home);
  return trip;
}
