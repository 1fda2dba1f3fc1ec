// Confirms a PM2 action by saying what will happen, shows progress while it runs, then the outcome.
// The request itself is the page's (`perform`), so this element never talks to the API.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { CircleCheck, CircleX } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import type SlDialog from '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import type SlButton from '@shoelace-style/shoelace/dist/components/button/button.js';
import { tokens } from '../styles/theme.js';
import type { ProcessInfo, ProcessOp, ProcessActionDetail } from './process-table.js';
import './oc-icon.js';

export type ActionPhase = 'confirm' | 'running' | 'done' | 'failed';
export interface ProcessActionDoneDetail extends ProcessActionDetail { ok: boolean; process?: ProcessInfo; error?: string }

const VERB: Record<ProcessOp, { word: string; past: string; ing: string }> = {
  restart: { word: 'Restart', past: 'Restarted', ing: 'Restarting' },
  reload: { word: 'Reload', past: 'Reloaded', ing: 'Reloading' },
  stop: { word: 'Stop', past: 'Stopped', ing: 'Stopping' },
  start: { word: 'Start', past: 'Started', ing: 'Starting' },
};

/** What the action will do, in words: "Restart api-server? Its 2 instances restart; requests in flight may fail." */
export function describeAction(name: string, op: ProcessOp, instances: number): string {
  const them = instances > 1 ? `Its ${instances} instances` : 'It';
  const s = instances > 1 ? '' : 's';
  switch (op) {
    case 'restart': return `${VERB.restart.word} ${name}? ${them} restart${s}; requests in flight may fail.`;
    case 'reload': return instances > 1
      ? `${VERB.reload.word} ${name}? ${them} reload one at a time, so it keeps serving in cluster mode.`
      : `${VERB.reload.word} ${name}? It reloads; in fork mode that is a restart and requests in flight may fail.`;
    case 'stop': return `${VERB.stop.word} ${name}? ${them} stop${s} and stay${s} stopped until started again; requests in flight fail.`;
    case 'start': return `${VERB.start.word} ${name}? ${them} start${s} with the saved PM2 settings.`;
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return typeof err === 'string' && err ? err : 'The request failed';
}

@customElement('process-action-dialog')
export class ProcessActionDialog extends LitElement {
  static styles = [tokens, css`
    p { margin: 0 0 0.5rem; line-height: 1.45; }
    .progress, .outcome { display: flex; gap: 0.6rem; align-items: center; font-weight: 600; }
    .outcome.ok { color: var(--oc-ok); }
    .outcome.bad { color: var(--oc-bad); }
    .outcome oc-icon { --oc-icon-size: 1.4em; }
    sl-button { min-width: 6rem; }
    sl-button::part(base) { min-height: var(--oc-tap); }
  `];

  @property({ type: Boolean, reflect: true }) open = false;
  @property() name = '';
  @property() op: ProcessOp = 'restart';
  @property({ type: Number }) instances = 1;
  /** Runs the action (the page's POST); resolves with the process as it is afterwards. */
  @property({ attribute: false }) perform?: (name: string, op: ProcessOp) => Promise<ProcessInfo>;

  @state() phase: ActionPhase = 'confirm';
  @state() private outcome = '';

  @query('sl-dialog') private dialog!: SlDialog;
  @query('.confirm') private confirmButton?: SlButton;

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Every opening starts from the question again.
    if (changed.has('open') && this.open) { this.phase = 'confirm'; this.outcome = ''; }
  }

  render() {
    const verb = VERB[this.op];
    return html`<sl-dialog label="${verb.word} ${this.name}" ?open=${this.open}
      @sl-initial-focus=${this.onInitialFocus} @sl-request-close=${this.onRequestClose} @sl-after-hide=${this.onAfterHide}>
      ${this.renderBody()}
      ${this.renderFooter()}
    </sl-dialog>`;
  }

  private renderBody() {
    const verb = VERB[this.op];
    switch (this.phase) {
      case 'confirm': return html`<p class="question">${describeAction(this.name, this.op, this.instances)}</p>`;
      case 'running': return html`<div class="progress" role="status"><sl-spinner></sl-spinner>${verb.ing} ${this.name}…</div>`;
      case 'done': return html`<div class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon><span>${this.outcome}</span></div>`;
      case 'failed': return html`<div class="outcome bad" role="alert"><oc-icon .icon=${CircleX}></oc-icon><span>${this.outcome}</span></div>`;
    }
  }

  private renderFooter() {
    if (this.phase === 'confirm') {
      return html`<sl-button slot="footer" class="cancel" @click=${this.cancel}>Cancel</sl-button>
        <sl-button slot="footer" class="confirm" variant=${this.op === 'stop' ? 'danger' : 'primary'} @click=${this.confirm}>${VERB[this.op].word}</sl-button>`;
    }
    if (this.phase === 'running') return html`<sl-button slot="footer" disabled>Working…</sl-button>`;
    return html`<sl-button slot="footer" class="close" variant="primary" @click=${this.cancel}>Close</sl-button>`;
  }

  /** Runs the action; also reachable programmatically (e.g. by tests or a keyboard shortcut). */
  async confirm(): Promise<void> {
    if (this.phase !== 'confirm') return;
    const detail: ProcessActionDetail = { name: this.name, op: this.op };
    this.dispatchEvent(new CustomEvent('process-action-confirm', { detail, bubbles: true, composed: true }));
    if (!this.perform) return;
    this.phase = 'running';
    let done: ProcessActionDoneDetail;
    try {
      const proc = await this.perform(this.name, this.op);
      this.outcome = `${VERB[this.op].past} ${this.name}: now ${proc.status}, ${proc.restarts} restart${proc.restarts === 1 ? '' : 's'} in total.`;
      this.phase = 'done';
      done = { ...detail, ok: true, process: proc };
    } catch (err) {
      this.outcome = `${VERB[this.op].word} ${this.name} failed: ${errorMessage(err)}`;
      this.phase = 'failed';
      done = { ...detail, ok: false, error: errorMessage(err) };
    }
    await this.updateComplete;
    this.renderRoot.querySelector<SlButton>('.close')?.focus();
    this.dispatchEvent(new CustomEvent<ProcessActionDoneDetail>('process-action-done', { detail: done, bubbles: true, composed: true }));
  }

  cancel(): void {
    if (this.phase === 'running') return;
    this.open = false;
  }

  private onInitialFocus(e: Event): void {
    // Focus the confirming button rather than the dialog's close (x) button.
    e.preventDefault();
    this.confirmButton?.focus();
  }

  private onRequestClose(e: Event): void {
    // The request cannot be taken back once sent: keep the dialog until its outcome is shown.
    if (this.phase === 'running') e.preventDefault();
  }

  private onAfterHide(e: Event): void {
    if (e.target !== this.dialog) return;   // nested Shoelace elements emit their own sl-after-hide
    this.open = false;
    this.dispatchEvent(new CustomEvent('process-action-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'process-action-dialog': ProcessActionDialog }
}
