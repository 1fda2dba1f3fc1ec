// Shows the live connection's state as icon + word + colour (never colour alone) and when data last arrived.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LoaderCircle, Radio, RefreshCw, WifiOff, type IconNode } from 'lucide';
import type { ConnectionState } from '../live/live-store.js';
import { formatClock } from '../app/time-format.js';
import './oc-icon.js';

const LOOK: Record<ConnectionState, { word: string; icon: IconNode; tone: string; explain: string }> = {
  live: { word: 'Live', icon: Radio, tone: 'ok', explain: 'Receiving live updates from the gateway.' },
  connecting: { word: 'Connecting', icon: LoaderCircle, tone: 'unknown', explain: 'Opening the live connection.' },
  reconnecting: { word: 'Reconnecting', icon: RefreshCw, tone: 'warn', explain: 'The live connection dropped; retrying. Values may be stale.' },
  offline: { word: 'Offline', icon: WifiOff, tone: 'bad', explain: 'No connection to the gateway. Values shown are the last known.' },
};

@customElement('connection-indicator')
export class ConnectionIndicator extends LitElement {
  static styles = css`
    :host { display: inline-flex; align-items: center; gap: 0.4rem; font-size: 0.875rem; white-space: nowrap; min-height: 44px; }
    .state { display: inline-flex; align-items: center; gap: 0.3rem; padding: 0.15rem 0.5rem; border-radius: 999px; font-weight: 600; }
    .ok { color: var(--oc-ok); background: var(--oc-ok-bg); }
    .warn { color: var(--oc-warn); background: var(--oc-warn-bg); }
    .bad { color: var(--oc-bad); background: var(--oc-bad-bg); }
    .unknown { color: var(--oc-unknown); background: var(--oc-unknown-bg); }
    .updated { color: var(--oc-fg-muted); font-variant-numeric: tabular-nums; }
    oc-icon { --oc-icon-size: 1rem; }
    @media (prefers-reduced-motion: no-preference) {
      .spin oc-icon { animation: spin 1.2s linear infinite; }
    }
    @keyframes spin { to { transform: rotate(360deg); } }
  `;

  @property({ reflect: true }) state: ConnectionState = 'connecting';
  /** ms epoch of the last frame from the server; null when nothing arrived yet. */
  @property({ attribute: false }) lastMessageAt: number | null = null;

  render() {
    const look = LOOK[this.state] ?? LOOK.offline;
    const spinning = this.state === 'connecting' || this.state === 'reconnecting';
    const updated = this.lastMessageAt === null ? null : formatClock(this.lastMessageAt);
    const title = `${look.explain}${updated ? ` Last update ${updated}.` : ''}`;
    return html`<span class="state ${look.tone} ${spinning ? 'spin' : ''}" part="state" title=${title}
        role="status" aria-live="polite">
        <oc-icon .icon=${look.icon}></oc-icon><span class="word">${look.word}</span>
      </span>${updated ? html`<span class="updated" part="updated">updated ${updated}</span>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'connection-indicator': ConnectionIndicator }
}
