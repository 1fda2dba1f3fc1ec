// Confirms a manual run of an agent ("Start content-engine now? It launches …"), takes optional JSON
// parameters (checked before anything is sent), shows progress, then the outcome with a link to the new run.
// The request itself is the page's (`perform`).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CircleCheck, CircleX } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import { tokens, focusRing } from '../styles/theme.js';
import { parseParams } from '../pages/agents-data.js';
import { runHref } from './run-history.js';
import './oc-icon.js';

export type TriggerPhase = 'confirm' | 'running' | 'done' | 'failed';
export interface TriggerDoneDetail { agent: string; ok: boolean; runId?: string; error?: string }

@customElement('trigger-dialog')
export class TriggerDialog extends LitElement {
  static styles = [tokens, focusRing, css`
    p { margin: 0 0 0.6rem; line-height: 1.45; }
    label { display: grid; gap: 0.3rem; font-size: 0.875rem; font-weight: 600; }
    .hint { font-weight: 400; color: var(--oc-fg-muted); font-size: 0.8rem; }
    textarea { font-family: var(--oc-mono); font-size: 0.85rem; min-height: 6rem; padding: 0.5rem; border-radius: 8px; resize: vertical;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); }
    textarea[aria-invalid='true'] { border: 2px solid var(--oc-bad); }
    .field-error { color: var(--oc-bad); font-size: 0.85rem; font-weight: 600; margin: 0.3rem 0 0; }
    .progress, .outcome { display: flex; gap: 0.6rem; align-items: center; font-weight: 600; flex-wrap: wrap; }
    .outcome.ok { color: var(--oc-ok); } .outcome.bad { color: var(--oc-bad); }
    .outcome a { color: var(--oc-accent); }
    sl-button::part(base) { min-height: var(--oc-tap); }
  `];

  @property({ type: Boolean, reflect: true }) open = false;
  @property() agent = '';
  /** What starting it does, in words (e.g. "It launches `node …` which runs …"). */
  @property() description = '';
  /** Sends the trigger (the page's POST); resolves with the new run's id. */
  @property({ attribute: false }) perform?: (agent: string, params: Record<string, unknown> | undefined) => Promise<{ runId: string }>;

  @state() phase: TriggerPhase = 'confirm';
  @state() paramsText = '';
  @state() paramsError = '';
  @state() private outcome = '';
  @state() private runId = '';

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('open') && this.open) {
      this.phase = 'confirm'; this.outcome = ''; this.runId = ''; this.paramsError = '';
    }
  }

  render() {
    return html`<sl-dialog label="Start ${this.agent}" ?open=${this.open} @sl-request-close=${this.onRequestClose}
      @sl-after-hide=${this.onAfterHide}>${this.renderBody()}${this.renderFooter()}</sl-dialog>`;
  }

  private renderBody() {
    switch (this.phase) {
      case 'confirm': return html`<p class="question">Start ${this.agent} now? ${this.description}</p>
        <label for="params">Parameters <span class="hint">(optional JSON object)</span></label>
        <textarea id="params" spellcheck="false" placeholder='{"advisor": "ARN-1234"}' .value=${this.paramsText}
          aria-invalid=${this.paramsError ? 'true' : 'false'} aria-describedby="params-error"
          @input=${(e: Event) => { this.paramsText = (e.target as HTMLTextAreaElement).value; if (this.paramsError) this.validate(); }}></textarea>
        <p class="field-error" id="params-error" role=${this.paramsError ? 'alert' : nothing}>${this.paramsError}</p>`;
      case 'running': return html`<div class="progress" role="status"><sl-spinner></sl-spinner>Starting ${this.agent}…</div>`;
      case 'done': return html`<div class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon>
        <span>${this.agent} started.</span><a class="run-link" href=${runHref(this.runId)} @click=${() => { this.open = false; }}>Follow the run</a></div>`;
      case 'failed': return html`<div class="outcome bad" role="alert"><oc-icon .icon=${CircleX}></oc-icon><span>${this.outcome}</span></div>`;
    }
  }

  private renderFooter() {
    if (this.phase === 'confirm') {
      return html`<sl-button slot="footer" class="cancel" @click=${this.close}>Cancel</sl-button>
        <sl-button slot="footer" class="confirm" variant="primary" @click=${() => this.confirm()}>Start now</sl-button>`;
    }
    if (this.phase === 'running') return html`<sl-button slot="footer" disabled>Working…</sl-button>`;
    return html`<sl-button slot="footer" class="close" variant="primary" @click=${this.close}>Close</sl-button>`;
  }

  /** Checks the parameters; true when they may be sent. */
  validate(): boolean {
    const result = parseParams(this.paramsText);
    this.paramsError = result.ok ? '' : result.error;
    return result.ok;
  }

  /** Sends the trigger when the parameters are valid. */
  async confirm(): Promise<void> {
    if (this.phase !== 'confirm') return;
    const parsed = parseParams(this.paramsText);
    if (!parsed.ok) {
      this.paramsError = parsed.error;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
      return;
    }
    this.paramsError = '';
    if (!this.perform) return;
    this.phase = 'running';
    let detail: TriggerDoneDetail;
    try {
      const { runId } = await this.perform(this.agent, parsed.params);
      this.runId = runId;
      this.phase = 'done';
      detail = { agent: this.agent, ok: true, runId };
    } catch (err) {
      const message = err instanceof Error && err.message ? err.message : 'The request failed';
      this.outcome = `${this.agent} was not started: ${message}`;
      this.phase = 'failed';
      detail = { agent: this.agent, ok: false, error: message };
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(this.phase === 'done' ? '.run-link' : '.close')?.focus();
    this.dispatchEvent(new CustomEvent<TriggerDoneDetail>('trigger-done', { detail, bubbles: true, composed: true }));
  }

  private close = () => {
    if (this.phase !== 'running') this.open = false;
  };

  private onRequestClose(e: Event): void {
    if (this.phase === 'running') e.preventDefault();
  }

  private onAfterHide(e: Event): void {
    if ((e.target as Element).tagName !== 'SL-DIALOG') return;
    this.open = false;
    this.dispatchEvent(new CustomEvent('trigger-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'trigger-dialog': TriggerDialog }
}
