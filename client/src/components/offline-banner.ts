// "Offline — last known status as of HH:MM:SS (N min ago)": says how old the shown values are while
// the live connection is down. Renders nothing while `connection` is 'live'.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { WifiOff } from 'lucide';
import type { ConnectionState } from '../live/live-store.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import './oc-icon.js';

@customElement('offline-banner')
export class OfflineBanner extends LitElement {
  static styles = css`
    :host { display: block; }
    .banner { display: flex; align-items: center; gap: 0.5rem; padding: 0.6rem 0.9rem; border-radius: var(--oc-radius, 10px);
      color: var(--oc-warn); background: var(--oc-warn-bg); border: 1px solid currentColor; font-weight: 600; }
    .detail { font-weight: 400; color: var(--oc-fg-muted); }
    oc-icon { --oc-icon-size: 1.1rem; }
  `;

  /** When the shown status was generated (ISO or ms epoch); null/empty when nothing is known. */
  @property({ attribute: 'as-of' }) asOf: string | number | null = null;
  @property() connection: ConnectionState = 'offline';
  /** Clock override for tests; the banner otherwise re-renders every 30 s so "N min ago" stays true. */
  @property({ attribute: false }) now: number | null = null;
  @state() private tick = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => { this.tick += 1; }, 30_000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The banner's sentence (also its accessible text). */
  get message(): string {
    const known = this.asOf !== null && this.asOf !== '' && Number.isFinite(typeof this.asOf === 'number' ? this.asOf : Date.parse(this.asOf));
    if (!known || this.asOf === null) return 'Offline — no status received yet';
    const now = this.now ?? Date.now();
    return `Offline — last known status as of ${formatClock(this.asOf)} (${formatRelative(this.asOf, now)})`;
  }

  render() {
    if (this.connection === 'live') return nothing;
    void this.tick;
    const retrying = this.connection === 'reconnecting' || this.connection === 'connecting';
    return html`<div class="banner" role="status">
      <oc-icon .icon=${WifiOff}></oc-icon>
      <span>${this.message}</span>
      ${retrying ? html`<span class="detail">· reconnecting…</span>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'offline-banner': OfflineBanner }
}
