// The services from /api/health (PM2, webhook, WhatsApp, Sheets, Drive), worst first, each with its state,
// detail and when it was last checked; "not configured" is calm grey, not an alarm.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tokens } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import { stateSeverity } from './state-badge.js';
import './state-badge.js';
import { serviceLogsHref } from '../app/log-links.js';

export type ServiceState = 'up' | 'down' | 'degraded' | 'unknown' | 'not_configured';
export interface ServiceInfo { state: ServiceState; observedAt: string | null; latencyMs?: number; detail?: string }
export type ServiceMap = Record<string, ServiceInfo>;

const SERVICE_NAMES: Record<string, string> = {
  pm2: 'PM2', webhook: 'Webhook', whatsapp: 'WhatsApp', sheets: 'Google Sheets', drive: 'Google Drive',
};

export function serviceName(key: string): string {
  return SERVICE_NAMES[key] ?? key;
}

/** Where a service's problems can be looked into (one tap from symptom to cause). */
export function serviceHref(key: string): string {
  return key === 'webhook' ? '/webhook' : serviceLogsHref(key);
}

@customElement('service-list')
export class ServiceList extends LitElement {
  static styles = [tokens, css`
    :host { display: block; min-width: 0; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.2rem 0.75rem; align-items: center;
      padding: 0.6rem 0; border-bottom: 1px solid var(--oc-border); min-height: var(--oc-tap); }
    li:last-child { border-bottom: none; }
    .name { font-weight: 600; }
    .name a { color: inherit; }
    .meta { grid-column: 1 / -1; font-size: 0.8rem; color: var(--oc-fg-muted); overflow-wrap: anywhere; }
    li.not_configured .name { color: var(--oc-fg-muted); font-weight: 500; }
    :host([stale]) ul { opacity: 0.6; filter: grayscale(1); }
    .empty { color: var(--oc-fg-muted); }
  `];

  @property({ attribute: false }) services: ServiceMap | null = null;
  @property({ type: Boolean, reflect: true }) stale = false;

  render() {
    if (!this.services) {
      return html`<p class="empty" role="status"><state-badge state="unknown"></state-badge> Waiting for the first status…</p>`;
    }
    const entries = Object.entries(this.services).sort(([ak, a], [bk, b]) =>
      stateSeverity(a.state) - stateSeverity(b.state) || serviceName(ak).localeCompare(serviceName(bk)));
    return html`<ul>${entries.map(([key, svc]) => this.renderService(key, svc))}</ul>`;
  }

  private renderService(key: string, svc: ServiceInfo) {
    const troubled = svc.state === 'down' || svc.state === 'degraded';
    const meta: string[] = [];
    if (svc.detail) meta.push(svc.detail);
    if (svc.latencyMs !== undefined && svc.state !== 'not_configured') meta.push(`${Math.round(svc.latencyMs)} ms`);
    if (svc.observedAt) meta.push(`checked ${formatClock(svc.observedAt)}`);
    else if (svc.state !== 'not_configured') meta.push('not checked yet');
    return html`<li class=${svc.state} data-service=${key}>
      <span class="name">${troubled ? html`<a href=${serviceHref(key)}>${serviceName(key)}</a>` : serviceName(key)}</span>
      <state-badge state=${svc.state}></state-badge>
      ${meta.length ? html`<span class="meta">${meta.join(' · ')}</span>` : nothing}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'service-list': ServiceList }
}
