// Admin clean-up of rotated log files: a dry run first lists exactly which files would go and how much space
// that frees, then a confirmation deletes those (live files are never candidates). Progress and the outcome
// are shown; the request is the page's (`perform`, POST /api/logs/cleanup), which the audit trail records.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CircleCheck, CircleX } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import { tokens, focusRing } from '../styles/theme.js';
import { formatBytes } from '../app/time-format.js';
import { entryTime } from './log-list.js';
import type { CleanupReply } from '../pages/page-logs-data.js';
import './oc-icon.js';

export type CleanupPhase = 'ask' | 'listing' | 'listed' | 'deleting' | 'done' | 'failed';

@customElement('log-cleanup-dialog')
export class LogCleanupDialog extends LitElement {
  static styles = [tokens, focusRing, css`
    p { margin: 0 0 0.6rem; line-height: 1.45; }
    label { display: grid; gap: 0.3rem; font-size: 0.875rem; font-weight: 600; max-width: 14rem; }
    input { font: inherit; min-height: var(--oc-tap); padding: 0 0.6rem; border-radius: 8px; border: 1px solid var(--oc-border);
      background: var(--oc-surface); color: var(--oc-fg); }
    input[aria-invalid='true'] { border: 2px solid var(--oc-bad); }
    .field-error { color: var(--oc-bad); font-size: 0.85rem; font-weight: 600; margin: 0.3rem 0 0; }
    ul { list-style: none; margin: 0 0 0.6rem; padding: 0; max-height: 16rem; overflow: auto; border: 1px solid var(--oc-border); border-radius: 8px; }
    li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.1rem 0.6rem; padding: 0.35rem 0.5rem; font-size: 0.8rem;
      border-bottom: 1px solid var(--oc-surface-2); }
    .path { font-family: var(--oc-mono); overflow-wrap: anywhere; }
    .meta { color: var(--oc-fg-muted); white-space: nowrap; }
    .progress, .outcome { display: flex; gap: 0.6rem; align-items: center; font-weight: 600; flex-wrap: wrap; }
    .outcome.ok { color: var(--oc-ok); } .outcome.bad { color: var(--oc-bad); }
    sl-button::part(base) { min-height: var(--oc-tap); }
  `];

  @property({ type: Boolean, reflect: true }) open = false;
  @property({ attribute: false }) perform?: (olderThanDays: number, dryRun: boolean) => Promise<CleanupReply>;

  @state() phase: CleanupPhase = 'ask';
  @state() days = '30';
  @state() private fieldError = '';
  @state() listed: CleanupReply | null = null;
  @state() private outcome = '';

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('open') && this.open) {
      this.phase = 'ask'; this.listed = null; this.outcome = ''; this.fieldError = '';
    }
  }

  render() {
    return html`<sl-dialog label="Clean up old log files" ?open=${this.open}
      @sl-request-close=${(e: Event) => { if (this.busy) e.preventDefault(); }} @sl-after-hide=${this.onAfterHide}>
      ${this.renderBody()}${this.renderFooter()}</sl-dialog>`;
  }

  private get busy(): boolean { return this.phase === 'listing' || this.phase === 'deleting'; }

  private renderBody() {
    const l = this.listed;
    switch (this.phase) {
      case 'ask': return html`<p>Rotated log files (compressed or numbered copies) older than this many days are deleted.
          Live log files are never touched. You see the list before anything is deleted.</p>
        <label>Older than (days)<input type="number" class="days" min="1" max="3650" step="1" inputmode="numeric" .value=${this.days}
          aria-invalid=${this.fieldError ? 'true' : 'false'} aria-describedby="days-error"
          @input=${(e: Event) => { this.days = (e.target as HTMLInputElement).value; this.fieldError = ''; }}
          @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') void this.dryRun(); }}></label>
        <p class="field-error" id="days-error" role=${this.fieldError ? 'alert' : nothing}>${this.fieldError}</p>`;
      case 'listing': return html`<div class="progress" role="status"><sl-spinner></sl-spinner>Listing the files that would be deleted…</div>`;
      case 'listed': return l && l.files.length
        ? html`<p class="summary">${l.files.length} rotated file${l.files.length === 1 ? '' : 's'} older than ${l.olderThanDays} days,
            ${formatBytes(l.totalBytes)} in all, would be deleted (oldest first):</p>
          <ul aria-label="Files to delete">${l.files.map((f) => html`<li><span class="path">${f.path}</span>
            <span class="meta">${formatBytes(f.size)} · ${entryTime(f.mtime)}</span></li>`)}</ul>
          <p>This cannot be undone.</p>`
        : html`<p class="summary" role="status">No rotated files are older than ${l?.olderThanDays ?? this.days} days; nothing to delete.</p>`;
      case 'deleting': return html`<div class="progress" role="status"><sl-spinner></sl-spinner>Deleting ${l?.files.length ?? 0} files…</div>`;
      case 'done': return html`<div class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon><span>${this.outcome}</span></div>`;
      case 'failed': return html`<div class="outcome bad" role="alert"><oc-icon .icon=${CircleX}></oc-icon><span>${this.outcome}</span></div>`;
    }
  }

  private renderFooter() {
    switch (this.phase) {
      case 'ask': return html`<sl-button slot="footer" class="cancel" @click=${this.close}>Cancel</sl-button>
        <sl-button slot="footer" class="dry-run" variant="primary" @click=${() => this.dryRun()}>List files (dry run)</sl-button>`;
      case 'listed': return this.listed?.files.length
        ? html`<sl-button slot="footer" class="back" @click=${() => { this.phase = 'ask'; }}>Back</sl-button>
          <sl-button slot="footer" class="confirm" variant="danger" @click=${() => this.confirm()}>Delete ${this.listed.files.length} files</sl-button>`
        : html`<sl-button slot="footer" class="close" variant="primary" @click=${this.close}>Close</sl-button>`;
      case 'listing': case 'deleting': return html`<sl-button slot="footer" disabled>Working…</sl-button>`;
      default: return html`<sl-button slot="footer" class="close" variant="primary" @click=${this.close}>Close</sl-button>`;
    }
  }

  private parseDays(): number | null {
    const n = Number(this.days);
    if (!/^\d+$/.test(this.days.trim()) || !Number.isInteger(n) || n < 1 || n > 3650) {
      this.fieldError = 'Enter a whole number of days from 1 to 3650.';
      return null;
    }
    return n;
  }

  /** Asks which files would go (nothing is deleted). */
  async dryRun(): Promise<void> {
    if (this.phase !== 'ask' || !this.perform) return;
    const days = this.parseDays();
    if (days === null) return;
    this.phase = 'listing';
    try {
      this.listed = await this.perform(days, true);
      this.phase = 'listed';
    } catch (err) {
      this.outcome = `The files could not be listed: ${err instanceof Error ? err.message : 'the request failed'}`;
      this.phase = 'failed';
    }
  }

  /** Deletes what the dry run listed (same age limit). */
  async confirm(): Promise<void> {
    if (this.phase !== 'listed' || !this.listed || !this.perform) return;
    this.phase = 'deleting';
    try {
      const reply = await this.perform(this.listed.olderThanDays, false);
      this.outcome = `Deleted ${reply.deleted} file${reply.deleted === 1 ? '' : 's'}, ${formatBytes(reply.totalBytes)} freed.`;
      this.phase = 'done';
      this.dispatchEvent(new CustomEvent('cleanup-done', { detail: reply, bubbles: true, composed: true }));
    } catch (err) {
      this.outcome = `The clean-up failed: ${err instanceof Error ? err.message : 'the request failed'}`;
      this.phase = 'failed';
    }
  }

  private close = () => { if (!this.busy) this.open = false; };

  private onAfterHide(e: Event): void {
    if ((e.target as Element).tagName !== 'SL-DIALOG') return;
    this.open = false;
    this.dispatchEvent(new CustomEvent('cleanup-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'log-cleanup-dialog': LogCleanupDialog }
}
