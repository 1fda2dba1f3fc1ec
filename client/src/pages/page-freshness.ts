// The line beside a live page's title that says how fresh its data is: "updated 14:02", or "stale since …"
// once the live connection is lost (styled by pageFrame's .fresh and .fresh.stale).
import { html, type TemplateResult } from 'lit';
import { formatClock } from '../app/time-format.js';

export function freshnessNote(updatedAt: number | null, stale: boolean): TemplateResult {
  if (updatedAt === null) return html`<span class="fresh">not received yet</span>`;
  return stale
    ? html`<span class="fresh stale">stale since ${formatClock(updatedAt)} — live connection lost</span>`
    : html`<span class="fresh">updated ${formatClock(updatedAt)}</span>`;
}
