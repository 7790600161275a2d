// The flag's map, drawn offline: Natural Earth countries (world-atlas, 1:110m) projected by d3-geo
// into SVG, with the account's usual places, the flagged login and, for impossible travel, the
// great-circle line it supposedly flew.
import { h, svg } from "./dom.js";
import { placeLabel } from "./format.js";

const WIDTH = 640;
const HEIGHT = 360;
let countries = null;

async function loadCountries() {
  if (!countries) {
    const response = await fetch("console/countries-110m.json");
    const topology = await response.json();
    countries = window.topojson.feature(topology, topology.objects.countries);
  }
  return countries;
}

/** A view around the points: their box widened so that a lone city still shows its region. */
function viewOf(points) {
  if (points.length === 0) return null;
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  const pad = (min, max, least) => {
    const extra = Math.max(least, (max - min) * 0.25);
    return [min - extra, max + extra];
  };
  const [west, east] = pad(Math.min(...lons), Math.max(...lons), 18);
  const [south, north] = pad(Math.min(...lats), Math.max(...lats), 10);
  const clamp = (value, low, high) => Math.max(low, Math.min(high, value));
  return {
    type: "MultiPoint",
    coordinates: [
      [clamp(west, -180, 180), clamp(south, -58, 84)],
      [clamp(east, -180, 180), clamp(north, -58, 84)],
      [clamp(west, -180, 180), clamp(north, -58, 84)],
      [clamp(east, -180, 180), clamp(south, -58, 84)],
    ],
  };
}

/** Renders the map figure for a flag's context; the text beside it says the same for screen readers. */
export async function flagMap(context) {
  const figure = h("figure", { class: "map" });
  const { login, travelFrom, usualPlaces } = context;
  const points = [...usualPlaces, ...(login ? [login] : []), ...(travelFrom ? [travelFrom] : [])];
  let world;
  try {
    world = await loadCountries();
  } catch {
    figure.append(h("p", { class: "muted" }, "The map could not be loaded."));
    return figure;
  }
  const d3 = window.d3;
  const projection = d3.geoNaturalEarth1();
  const view = viewOf(points);
  if (view) projection.fitExtent([[12, 12], [WIDTH - 12, HEIGHT - 12]], view);
  else projection.fitSize([WIDTH, HEIGHT], { type: "Sphere" });
  const path = d3.geoPath(projection);

  const described = [];
  if (login) described.push(`flagged login in ${placeLabel(login)}`);
  if (travelFrom) described.push(`travelled from ${placeLabel(travelFrom)}`);
  if (usualPlaces.length > 0)
    described.push(`usual places: ${usualPlaces.slice(0, 5).map((p) => placeLabel(p)).join("; ")}`);
  const map = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": `Map: ${described.join(", ") || "no located logins"}`,
    class: "map-svg",
  });
  map.append(
    svg("path", { d: path({ type: "Sphere" }), class: "map-sea" }),
    svg("path", { d: path(d3.geoGraticule10()), class: "map-graticule" }),
    svg("path", { d: path(world), class: "map-land" }),
  );
  const maxLogins = Math.max(1, ...usualPlaces.map((p) => p.logins));
  for (const [index, place] of usualPlaces.entries()) {
    const at = projection([place.lon, place.lat]);
    if (!at) continue;
    // The most used places are named; the rest say who they are on hover and in the legend.
    if (index < 3) map.append(label(at, place.city ?? placeLabel(place), "map-label map-label-usual"));
    map.append(
      svg(
        "circle",
        { cx: at[0], cy: at[1], r: 3 + 6 * Math.sqrt(place.logins / maxLogins), class: "map-usual" },
        svg("title", {}, `${placeLabel(place)}: ${place.logins} ${place.logins === 1 ? "login" : "logins"}`),
      ),
    );
  }
  if (travelFrom && login) {
    const line = { type: "LineString", coordinates: [[travelFrom.lon, travelFrom.lat], [login.lon, login.lat]] };
    map.append(svg("path", { d: path(line), class: "map-travel" }));
    const from = projection([travelFrom.lon, travelFrom.lat]);
    if (from) {
      map.append(
        svg("circle", { cx: from[0], cy: from[1], r: 5, class: "map-from" }, svg("title", {}, `From ${placeLabel(travelFrom)}`)),
        label(from, placeLabel(travelFrom), "map-label"),
      );
    }
  }
  if (login) {
    const at = projection([login.lon, login.lat]);
    if (at) {
      map.append(
        svg("circle", { cx: at[0], cy: at[1], r: 14, class: "map-flagged-halo" }),
        svg("circle", { cx: at[0], cy: at[1], r: 6, class: "map-flagged" }, svg("title", {}, `Flagged login: ${placeLabel(login)}`)),
        label(at, placeLabel(login), "map-label map-label-flagged"),
      );
    }
  }
  figure.append(map, legend(login, travelFrom, usualPlaces));
  return figure;
}

function label([x, y], text, className) {
  const anchor = x > WIDTH * 0.7 ? "end" : "start";
  return svg("text", { x: anchor === "end" ? x - 12 : x + 12, y: y - 10, class: className, "text-anchor": anchor }, text);
}

function legend(login, travelFrom, usualPlaces) {
  return h(
    "figcaption",
    { class: "map-legend" },
    h("span", { class: "key key-flagged" }, login ? `Flagged login · ${placeLabel(login)}` : "Flagged login: place unknown"),
    travelFrom ? h("span", { class: "key key-travel" }, `Travel from ${placeLabel(travelFrom)}`) : null,
    h(
      "span",
      { class: "key key-usual" },
      usualPlaces.length > 0 ? `Usual places (${usualPlaces.length})` : "No usual places within IP retention",
    ),
    h("span", { class: "attribution" }, "Natural Earth"),
  );
}
