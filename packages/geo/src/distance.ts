/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const RADIANS = Math.PI / 180;

/** Great-circle distance in km (haversine on a spherical Earth; within 0.5% of the ellipsoid). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const sinHalfDLat = Math.sin(((b.lat - a.lat) * RADIANS) / 2);
  const sinHalfDLon = Math.sin(((b.lon - a.lon) * RADIANS) / 2);
  const h =
    sinHalfDLat * sinHalfDLat +
    Math.cos(a.lat * RADIANS) * Math.cos(b.lat * RADIANS) * sinHalfDLon * sinHalfDLon;
  // Rounding can push h a hair above 1 for antipodes; asin would then return NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}
