// What the webhook's figure cards (<button-analytics>, <crm-panel>) share: their inputs (a figures reply, how fresh
// it is, a failed refresh), the tile grid's styles, the header with the period and freshness, the "refresh failed"
// line, how-to-configure when the webhook is not configured, and "—" with its reason for a figure not known.
import { LitElement, css, html, nothing, unsafeCSS, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';
import { formatClock } from '../app/time-format.js';
import { periodWords, type AnalyticsRange, type Freshness } from '../pages/webhook-data.js';
import { freshnessStyles, renderFreshness, renderNotConfigured } from './webhook-freshness.js';
import './oc-icon.js';

export const figureCardStyles = css`
  :host { display: block; min-width: 0; }
  header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
  h2 { font-size: 1.05rem; margin: 0; display: inline-flex; align-items: center; gap: 0.4rem; }
  h3 { font-size: 0.95rem; margin: 0 0 0.4rem; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); gap: 0.6rem; margin-bottom: 0.8rem; }
  .tile { border: 1px solid var(--oc-border); border-radius: 8px; padding: 0.5rem 0.65rem; min-width: 0; }
  .tile .name { display: flex; align-items: center; gap: 0.35rem; font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; --oc-icon-size: 1.05em; }
  .tile .n { font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
  .tile .sub { font-size: 0.8rem; color: var(--oc-fg-muted); }
  :host([stale]) .tile .n { color: var(--oc-stale); }
  .unknown { color: var(--oc-unknown); cursor: help; }
  .muted { color: var(--oc-fg-muted); margin: 0; }
  .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
  .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  ${unsafeCSS(freshnessStyles)}
`;

/** The part of a figures reply (/api/webhook/buttons, /crm) the header tells. */
export interface FiguresPeriod { range: AnalyticsRange; from: string; to: string; generatedAt: string }

export interface FigureHead {
  /** The heading's id (tables and lists below are labelled by it). */
  id: string;
  icon: IconNode;
  heading: string;
}

/**
 * A card of figures: the header, then how to configure the webhook, "—" tiles while nothing is known, or the
 * figures (drawn by the card). Stale figures stay shown, greyed (the `stale` attribute) and dated, never zeroed.
 */
export abstract class FigureCard<Reply extends FiguresPeriod> extends LitElement {
  @property({ attribute: false }) data: Reply | null = null;
  @property({ attribute: false }) freshness: Freshness = { kind: 'unknown', reason: 'Not received yet' };
  /** A failed refresh (the last data, if any, stays shown). */
  @property() error = '';
  @property({ type: Boolean, reflect: true }) stale = false;

  protected abstract head(): FigureHead;
  /** The tiles' names while nothing is known. */
  protected abstract readonly unknownNames: readonly string[];
  protected abstract renderData(d: Reply): TemplateResult;

  protected willUpdate(): void {
    this.stale = this.freshness.kind === 'stale';
  }

  render() {
    const { id, icon, heading } = this.head();
    const d = this.data;
    const f = this.freshness;
    return html`<header>
        <h2 id=${id}><oc-icon .icon=${icon}></oc-icon>${heading}${d ? html` <span class="muted">· ${periodWords(d.range, d.from, d.to)}</span>` : nothing}</h2>
        ${renderFreshness(f, d ? `live · ${formatClock(d.generatedAt)}` : 'live')}
      </header>
      ${this.error && d ? html`<p class="error" role="alert">Refresh failed — ${this.error}. Showing the figures from ${formatClock(d.generatedAt)}.</p>` : nothing}
      ${f.kind === 'not_configured' ? renderNotConfigured() : !d ? renderUnknownTiles(this.unknownNames, this.error, f) : this.renderData(d)}`;
  }
}

/** "—" for a figure not known, its reason on hover and for screen readers. */
export function renderUnknownFigure(reason: string) {
  return html`<span class="unknown" title=${reason} aria-hidden="true">—</span><span class="vh">Unknown: ${reason}</span>`;
}

/** Tiles for figures not received yet, each "—", and why: the load error, the freshness's reason, or nothing yet. */
function renderUnknownTiles(names: readonly string[], error: string, freshness: Freshness) {
  const reason = error ? `Could not be loaded — ${error}` : freshness.kind === 'unknown' ? freshness.reason : 'Not received yet';
  return html`<div class="tiles">${names.map((name) => html`<div class="tile">
      <div class="name">${name}</div><div class="n">${renderUnknownFigure(reason)}</div></div>`)}</div><p class="muted">${reason}</p>`;
}
