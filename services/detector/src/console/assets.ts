import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";

/** A file the console serves, read once at start. */
export interface Asset {
  body: Uint8Array;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/**
 * Third-party files the page loads, from the detector's own dependencies (no CDN, no build step):
 * d3-geo draws Natural Earth's countries (world-atlas) as SVG, topojson-client decodes them.
 * Each is found next to the entry point its package resolves to.
 */
const VENDOR: Record<string, { specifier: string; file: string }> = {
  "d3-array.js": { specifier: "d3-array", file: "d3-array.min.js" },
  "d3-geo.js": { specifier: "d3-geo", file: "d3-geo.min.js" },
  "topojson-client.js": { specifier: "topojson-client", file: "topojson-client.min.js" },
  "countries-110m.json": { specifier: "world-atlas/countries-110m.json", file: "countries-110m.json" },
};

const STATIC_DIR = join(dirname(new URL(import.meta.url).pathname), "static");

function asset(path: string): Asset {
  const contentType = CONTENT_TYPES[extname(path)];
  if (!contentType) throw new Error(`console asset of unknown type: ${path}`);
  return { body: readFileSync(path), contentType };
}

/** Every file of the console by the name it is served under; nothing else is ever served. */
export function loadConsoleAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(STATIC_DIR)) assets.set(name, asset(join(STATIC_DIR, name)));
  const require = createRequire(import.meta.url);
  for (const [name, { specifier, file }] of Object.entries(VENDOR)) {
    assets.set(name, asset(join(dirname(require.resolve(specifier)), file)));
  }
  return assets;
}
