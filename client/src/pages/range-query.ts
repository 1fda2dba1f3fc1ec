// The figures' range as the page URL carries it (`?range=week`; a day, the default, leaves the query bare), so the
// Webhook and Analytics pages open on the range last chosen and a copied link shows the same figures.
import { rangeFromSearch, type AnalyticsRange } from './webhook-data.js';

/** The range in the router's location (tests hand one in), else in the address bar. */
export function rangeOfPage(location?: { search?: string }): AnalyticsRange {
  return rangeFromSearch(location?.search ?? window.location.search);
}

/** The path and query of `href` with `range` in the query (and no `range` for a day). */
export function pathWithRange(href: string, range: AnalyticsRange): string {
  const url = new URL(href);
  if (range === 'day') url.searchParams.delete('range');
  else url.searchParams.set('range', range);
  return `${url.pathname}${url.search}`;
}

/** Puts the range in the address bar without adding a history entry. */
export function showRangeInUrl(range: AnalyticsRange): void {
  window.history.replaceState(window.history.state, '', pathWithRange(window.location.href, range));
}
