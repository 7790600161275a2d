import { distanceKm } from "@vigil/geo";
import type { Rng } from "./random.ts";

// Cities as geoip-lite spells them (GeoLite2 English names: "St Petersburg", "Krakow"), so that
// sampleIps finds addresses there. Coordinates place story timing (flight times); the UTC offset is the
// November one (daylight saving over in the north, on in south-east Australia), so people are awake at
// believable hours for their place.

export interface City {
  country: string;
  city: string;
  lat: number;
  lon: number;
  utcOffset: number;
}

function city(country: string, name: string, lat: number, lon: number, utcOffset: number): City {
  return { country, city: name, lat, lon, utcOffset };
}

export const CITIES = {
  newYork: city("US", "New York", 40.71, -74.01, -5),
  losAngeles: city("US", "Los Angeles", 34.05, -118.24, -8),
  chicago: city("US", "Chicago", 41.88, -87.63, -6),
  houston: city("US", "Houston", 29.76, -95.37, -6),
  philadelphia: city("US", "Philadelphia", 39.95, -75.17, -5),
  ashburn: city("US", "Ashburn", 39.04, -77.49, -5),
  london: city("GB", "London", 51.51, -0.13, 0),
  manchester: city("GB", "Manchester", 53.48, -2.24, 0),
  reading: city("GB", "Reading", 51.45, -0.97, 0),
  berlin: city("DE", "Berlin", 52.52, 13.4, 1),
  munich: city("DE", "Munich", 48.14, 11.58, 1),
  cologne: city("DE", "Cologne", 50.94, 6.96, 1),
  dusseldorf: city("DE", "Düsseldorf", 51.23, 6.78, 1),
  frankfurt: city("DE", "Frankfurt am Main", 50.11, 8.68, 1),
  paris: city("FR", "Paris", 48.86, 2.35, 1),
  lyon: city("FR", "Lyon", 45.76, 4.84, 1),
  saoPaulo: city("BR", "São Paulo", -23.55, -46.63, -3),
  rio: city("BR", "Rio de Janeiro", -22.91, -43.17, -3),
  campinas: city("BR", "Campinas", -22.91, -47.06, -3),
  mumbai: city("IN", "Mumbai", 19.08, 72.88, 5.5),
  delhi: city("IN", "Delhi", 28.65, 77.23, 5.5),
  bengaluru: city("IN", "Bengaluru", 12.97, 77.59, 5.5),
  pune: city("IN", "Pune", 18.52, 73.86, 5.5),
  tokyo: city("JP", "Tokyo", 35.68, 139.69, 9),
  osaka: city("JP", "Osaka", 34.69, 135.5, 9),
  yokohama: city("JP", "Yokohama", 35.44, 139.64, 9),
  lagos: city("NG", "Lagos", 6.52, 3.38, 1),
  abuja: city("NG", "Abuja", 9.08, 7.4, 1),
  sydney: city("AU", "Sydney", -33.87, 151.21, 11),
  melbourne: city("AU", "Melbourne", -37.81, 144.96, 11),
  toronto: city("CA", "Toronto", 43.65, -79.38, -5),
  hamilton: city("CA", "Hamilton", 43.26, -79.87, -5),
  vancouver: city("CA", "Vancouver", 49.28, -123.12, -8),
  madrid: city("ES", "Madrid", 40.42, -3.7, 1),
  barcelona: city("ES", "Barcelona", 41.39, 2.17, 1),
  rome: city("IT", "Rome", 41.9, 12.5, 1),
  milan: city("IT", "Milan", 45.46, 9.19, 1),
  mexicoCity: city("MX", "Mexico City", 19.43, -99.13, -6),
  guadalajara: city("MX", "Guadalajara", 20.67, -103.35, -6),
  amsterdam: city("NL", "Amsterdam", 52.37, 4.9, 1),
  rotterdam: city("NL", "Rotterdam", 51.92, 4.48, 1),
  warsaw: city("PL", "Warsaw", 52.23, 21.01, 1),
  krakow: city("PL", "Krakow", 50.06, 19.94, 1),
  seoul: city("KR", "Seoul", 37.57, 126.98, 9),
  busan: city("KR", "Busan", 35.18, 129.08, 9),
  moscow: city("RU", "Moscow", 55.76, 37.62, 3),
  stPetersburg: city("RU", "St Petersburg", 59.94, 30.31, 3),
  beijing: city("CN", "Beijing", 39.9, 116.4, 8),
  shanghai: city("CN", "Shanghai", 31.23, 121.47, 8),
  hanoi: city("VN", "Hanoi", 21.03, 105.85, 7),
  hoChiMinh: city("VN", "Ho Chi Minh City", 10.82, 106.63, 7),
  singapore: city("SG", "Singapore", 1.35, 103.82, 8),
  jakarta: city("ID", "Jakarta", -6.21, 106.85, 7),
  bucharest: city("RO", "Bucharest", 44.43, 26.1, 2),
  dubai: city("AE", "Dubai", 25.2, 55.27, 4),
  bangkok: city("TH", "Bangkok", 13.76, 100.5, 7),
  lisbon: city("PT", "Lisbon", 38.72, -9.14, 0),
} as const satisfies Record<string, City>;

const C = CITIES;

/** Where ordinary users live, weighted roughly by a global platform's user base. */
export const HOME_COUNTRIES: readonly (readonly [readonly City[], number])[] = [
  [[C.newYork, C.losAngeles, C.chicago, C.houston, C.philadelphia], 22],
  [[C.mumbai, C.delhi, C.bengaluru, C.pune], 12],
  [[C.london, C.manchester, C.reading], 8],
  [[C.berlin, C.munich, C.cologne, C.dusseldorf], 8],
  [[C.saoPaulo, C.rio, C.campinas], 8],
  [[C.paris, C.lyon], 6],
  [[C.tokyo, C.osaka, C.yokohama], 6],
  [[C.toronto, C.hamilton, C.vancouver], 5],
  [[C.lagos, C.abuja], 4],
  [[C.sydney, C.melbourne], 4],
  [[C.mexicoCity, C.guadalajara], 4],
  [[C.madrid, C.barcelona], 3],
  [[C.rome, C.milan], 3],
  [[C.seoul, C.busan], 3],
  [[C.amsterdam, C.rotterdam], 2],
  [[C.warsaw, C.krakow], 2],
];

/** Home and work cities a train ride apart (30–130 km), for commuters. */
export const COMMUTES: readonly (readonly [City, City])[] = [
  [C.philadelphia, C.newYork],
  [C.reading, C.london],
  [C.dusseldorf, C.cologne],
  [C.campinas, C.saoPaulo],
  [C.pune, C.mumbai],
  [C.yokohama, C.tokyo],
  [C.hamilton, C.toronto],
  [C.rotterdam, C.amsterdam],
];

/** Where travellers fly to. */
export const DESTINATIONS: readonly City[] = [
  C.newYork,
  C.london,
  C.paris,
  C.tokyo,
  C.madrid,
  C.rome,
  C.lisbon,
  C.dubai,
  C.bangkok,
  C.singapore,
  C.mexicoCity,
  C.sydney,
];

/** Where attacks come from: hosting-heavy and far-away places. */
export const ATTACKER_CITIES: readonly City[] = [
  C.moscow,
  C.stPetersburg,
  C.beijing,
  C.shanghai,
  C.hanoi,
  C.hoChiMinh,
  C.lagos,
  C.saoPaulo,
  C.ashburn,
  C.amsterdam,
  C.frankfurt,
  C.singapore,
  C.jakarta,
  C.bucharest,
];

/** Homes with wide IPv6 deployment (DE, FR, IN, US, JP, BR lead adoption). */
export const IPV6_HOMES: readonly City[] = [
  C.berlin,
  C.munich,
  C.paris,
  C.mumbai,
  C.delhi,
  C.newYork,
  C.chicago,
  C.tokyo,
  C.saoPaulo,
];

export function pickHomeCity(rng: Rng): City {
  return rng.pick(rng.weighted(HOME_COUNTRIES));
}

/** Other cities of the same country, from every list above. */
export function citiesOf(country: string): City[] {
  return Object.values(CITIES).filter((c: City) => c.country === country);
}

/** Great-circle distance in km between two cities. */
export function cityDistanceKm(a: City, b: City): number {
  return distanceKm(a, b);
}
