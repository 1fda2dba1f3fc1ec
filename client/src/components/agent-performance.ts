// Per-agent performance over 7 and 30 days: runs, success rate, p50/p95 duration, API calls and tokens.
// A table where people read; without runs a figure is "—" (never 0 %).
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tokens, focusRing } from '../styles/theme.js';
import { formatCount, formatMs, formatRate, type PerformanceRow } from '../pages/agents-data.js';

@customElement('agent-performance')
export class AgentPerformance extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    .scroll { overflow-x: auto; }
    table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.875rem; }
    th, td { padding: 0.45rem 0.45rem; border-bottom: 1px solid var(--oc-border); text-align: right; white-space: nowrap; }
    th { font-size: 0.75rem; color: var(--oc-fg-muted); font-weight: 600; vertical-align: bottom; }
    th:first-child, td:first-child { text-align: left; white-space: normal; overflow-wrap: break-word; min-width: 9rem; }
    td:first-child { font-weight: 600; }
    td.low { color: var(--oc-bad); font-weight: 700; }
    .empty { color: var(--oc-fg-muted); margin: 0; }
    caption { text-align: left; font-size: 0.8rem; color: var(--oc-fg-muted); padding-bottom: 0.3rem; }
  `];

  @property({ attribute: false }) rows: PerformanceRow[] = [];
  @property({ type: Boolean }) loading = false;

  render() {
    if (this.rows.length === 0) return html`<p class="empty">${this.loading ? 'Loading performance…' : 'No runs in the last 30 days.'}</p>`;
    return html`<div class="scroll" tabindex="0" role="region" aria-label="Agent performance"><table>
      <caption>Durations, API calls and tokens over 30 days</caption>
      <thead><tr><th scope="col">Agent</th><th scope="col">Runs 7 d</th><th scope="col">Runs 30 d</th>
        <th scope="col">Success 7 d</th><th scope="col">Success 30 d</th><th scope="col">p50</th><th scope="col">p95</th>
        <th scope="col">API calls</th><th scope="col">Tokens</th></tr></thead>
      <tbody>${this.rows.map((r) => {
        const low = (rate: number | null | undefined, runs: number | undefined) => runs && rate !== null && rate !== undefined && rate < 0.9;
        const period = r.month ?? r.week;
        return html`<tr data-agent=${r.agent}><td>${r.agent}</td>
          <td>${formatCount(r.week?.runs ?? 0)}</td><td>${formatCount(r.month?.runs ?? 0)}</td>
          <td class=${low(r.week?.successRate, r.week?.runs) ? 'low' : ''}>${formatRate(r.week)}</td>
          <td class=${low(r.month?.successRate, r.month?.runs) ? 'low' : ''}>${formatRate(r.month)}</td>
          <td>${formatMs(period?.p50Ms)}</td><td>${formatMs(period?.p95Ms)}</td>
          <td>${formatCount(period?.apiCalls)}</td><td>${formatCount(period?.tokens)}</td></tr>`;
      })}</tbody></table></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'agent-performance': AgentPerformance }
}
