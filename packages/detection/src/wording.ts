import type { Location } from "@vigil/events";
import type { Place } from "@vigil/geo";

// Reason messages are read by analysts; they are built only for flagged sessions, so Intl's cost
// stays off the hot path. Fixed locale: the same input must give the same text everywhere.
const numbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
const countryNames = new Map<string, string>();

export function count(n: number): string {
  return numbers.format(n);
}

/** "Germany" for "DE"; the code itself when unknown. */
export function countryName(code: string): string {
  let name = countryNames.get(code);
  if (name === undefined) {
    try {
      name = regions.of(code) ?? code;
    } catch {
      name = code;
    }
    countryNames.set(code, name);
  }
  return name;
}

/** "Lagos, Nigeria", or "Nigeria" when the city is unknown. */
export function placeLabel(place: { country: string; city?: string | null }): string {
  return place.city ? `${place.city}, ${countryName(place.country)}` : countryName(place.country);
}

/** "42 min", "3 h 5 min", "2 days". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) {
    const rest = minutes % 60;
    return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
  }
  return `${Math.round(minutes / 1440)} days`;
}

/** "A", "A and B", "A, B and 3 others" (the `noun` names the others). */
export function listing(items: readonly string[], noun: string, max = 2): string {
  if (items.length <= 1) return items[0] ?? "";
  if (items.length <= max) return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
  const rest = items.length - max;
  return `${items.slice(0, max).join(", ")} and ${rest} other ${rest === 1 ? noun : `${noun}s`}`;
}

export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}

/** The contract's location of a place: country, and region and city when known. */
export function locationOf(place: Place | null): Location | null {
  if (place === null) return null;
  const location: Location = { country: place.country };
  if (place.region !== null) location.region = place.region;
  if (place.city !== null) location.city = place.city;
  return location;
}
