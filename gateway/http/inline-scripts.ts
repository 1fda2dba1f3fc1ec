// The one inline script the client's index.html carries, and its hash for the Content-Security-Policy (which
// allows no other inline script). client/build.ts writes it into index.html; security-headers.ts allows it.
//
// It starts the browser's internationalisation library: the first Intl formatter a page creates costs 30–40 ms
// of main thread on a fast desktop (several times that on a phone) whatever its locale, and every page formats
// times and counts. Run in the page's <head>, that cost falls while the stylesheet downloads, before anything
// is painted; run by the first page that needs it, it was a long task while the user could already see and tap.
import { createHash } from 'node:crypto';

export const WARM_INTL_SCRIPT = "new Intl.NumberFormat('en-IN').format(0)";

/** The CSP source that allows exactly `script` inline. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}
