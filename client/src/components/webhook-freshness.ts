// How a webhook card says how fresh its figures are: "live", "last known — as of 14:02:11 (the webhook is down)",
// "not configured — set WEBHOOK_URL…", or why nothing is known. A template helper shared by the webhook elements.
import { html, nothing } from 'lit';
import { Clock, CircleMinus, Radio } from 'lucide';
import { formatClock } from '../app/time-format.js';
import { HOW_TO_CONFIGURE, type Freshness } from '../pages/webhook-data.js';
import './oc-icon.js';

export const freshnessStyles = `
  .freshness { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 0.8rem; color: var(--oc-fg-muted); --oc-icon-size: 1em; }
  .freshness.stale { color: var(--oc-stale); font-weight: 600; }
  .freshness.live { color: var(--oc-ok); }
  .not-configured { display: flex; gap: 0.5rem; align-items: flex-start; color: var(--oc-fg-muted); margin: 0; line-height: 1.45; }
  .not-configured code { font-family: var(--oc-mono); color: var(--oc-fg); }
`;

/** "as of 14:02:11" for stale figures ("as of an unknown time" when the gateway did not say). */
export function asOfWords(asOf: string | number | null): string {
  return asOf === null || asOf === '' ? 'as of an earlier time' : `as of ${formatClock(asOf)}`;
}

export function renderFreshness(f: Freshness, liveWord = 'live') {
  switch (f.kind) {
    case 'live': return html`<span class="freshness live"><oc-icon .icon=${Radio}></oc-icon>${liveWord}</span>`;
    case 'stale': return html`<span class="freshness stale" title="Last known values — ${f.reason}"><oc-icon .icon=${Clock}></oc-icon>stale · last known ${asOfWords(f.asOf)}</span>`;
    case 'not_configured': return html`<span class="freshness"><oc-icon .icon=${CircleMinus}></oc-icon>not configured</span>`;
    case 'unknown': return html`<span class="freshness">${f.reason}</span>`;
    default: return nothing;
  }
}

export function renderNotConfigured() {
  return html`<p class="not-configured" role="note"><oc-icon .icon=${CircleMinus}></oc-icon>
    <span>The webhook is not configured. Set <code>WEBHOOK_URL</code> (and <code>WEBHOOK_TOKEN</code> if the webhook asks for one)
    in the gateway's environment and restart the gateway.</span></p>`;
}

export { HOW_TO_CONFIGURE };
