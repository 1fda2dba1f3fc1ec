// How long a browser may keep each file of the built client: files named by their content's hash for a
// year (a new version is a new URL), icons for an hour, everything else (index.html and every client
// route, sw.js, the manifest, build-info.json) revalidated on every use.
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_SHORT = 'public, max-age=3600';
export const CACHE_REVALIDATE = 'no-cache';

/** esbuild's [hash] and the build's own hash for stylesheets: eight characters of [0-9A-Z] before the extension. */
const HASHED = /-[A-Z0-9]{8}\.(?:js|css)(?:\.map)?$/;
const ICONS = /^(?:icons|shoelace\/system)\//;

/** Text files the build also writes as .br and .gz (so their response varies with Accept-Encoding). */
export const COMPRESSIBLE_FILE = /\.(?:js|css|html|svg|json|webmanifest|map)$/;

/** `file`: the path inside the built client, with "/" separators ("chunks/page-home-ABCD1234.js"). */
export function cacheControlFor(file: string): string {
  if (HASHED.test(file)) return CACHE_IMMUTABLE;
  if (ICONS.test(file)) return CACHE_SHORT;
  return CACHE_REVALIDATE;
}
