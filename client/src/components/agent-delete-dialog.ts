// Confirms deleting an agent definition (admin): names the agent and says what happens — the gateway refuses
// while other agents have it as their parent, its schedule stops, a run in progress is not stopped, and the
// runs it made stay in the history. Shows progress, then the outcome; the gateway's refusal (409 with the
// children, 404 when already gone) is shown as it says it. The request is the page's (`perform`, DELETE).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { CircleCheck, CircleX, TriangleAlert } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import type SlDialog from '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import type SlButton from '@shoelace-style/shoelace/dist/components/button/button.js';
import { tokens, focusRing } from '../styles/theme.js';
import { describeCron, isOpen, type AgentView } from '../pages/agents-data.js';
import './oc-icon.js';

export type DeletePhase = 'confirm' | 'running' | 'done' | 'failed';
export interface AgentDeletedDetail { agent: string; ok: boolean; error?: string }

/** What deleting the agent does, one sentence each; `blocker` is set when the gateway will refuse. */
export function describeDeletion(agent: Pick<AgentView, 'name' | 'children' | 'schedule' | 'launch' | 'state' | 'currentRunId' | 'lastRun'>):
  { blocker: string | null; effects: string[] } {
  const n = agent.children.length;
  const blocker = n > 0
    ? `${agent.name} is the parent of ${agent.children.join(', ')}. The gateway refuses to delete it until ${n === 1 ? 'that agent is' : 'those agents are'} given another parent or deleted.`
    : null;
  const effects: string[] = ['Its definition (description, parent, launch command and environment) is removed; this cannot be undone.'];
  if (agent.schedule && agent.schedule.crons.length > 0) {
    effects.push(`Its schedule (${agent.schedule.crons.map(describeCron).join('; ')}) stops: no more scheduled runs.`);
  }
  if (agent.launch) effects.push('It can no longer be started from this dashboard.');
  if (agent.currentRunId || isOpen(agent.state)) effects.push('The run in progress is not stopped; cancel it first if it should stop.');
  effects.push(agent.lastRun
    ? 'Runs it already made stay in the run history under its name.'
    : 'Any runs it made stay in the run history under its name.');
  return { blocker, effects };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return typeof err === 'string' && err ? err : 'The request failed';
}

@customElement('agent-delete-dialog')
export class AgentDeleteDialog extends LitElement {
  static styles = [tokens, focusRing, css`
    p { margin: 0 0 0.6rem; line-height: 1.45; }
    ul { margin: 0 0 0.4rem; padding-left: 1.2rem; display: grid; gap: 0.35rem; line-height: 1.4; }
    .name { font-family: var(--oc-mono); font-weight: 700; overflow-wrap: anywhere; }
    .blocker { display: flex; gap: 0.5rem; align-items: flex-start; color: var(--oc-warn); background: var(--oc-warn-bg);
      border: 1px solid currentColor; border-radius: 8px; padding: 0.5rem 0.7rem; font-weight: 600; --oc-icon-size: 1.2em; }
    .blocker oc-icon { flex: none; margin-top: 0.1rem; }
    .progress, .outcome { display: flex; gap: 0.6rem; align-items: center; font-weight: 600; flex-wrap: wrap; margin: 0; }
    .outcome { align-items: flex-start; }
    .outcome oc-icon { flex: none; --oc-icon-size: 1.3em; }
    .outcome span { overflow-wrap: anywhere; }
    .outcome.ok { color: var(--oc-ok); } .outcome.bad { color: var(--oc-bad); }
    sl-dialog { --width: min(32rem, 100vw); }
    sl-dialog::part(panel) { max-height: calc(100dvh - 1rem); }
    sl-button::part(base) { min-height: var(--oc-tap); }
  `];

  @property({ type: Boolean, reflect: true }) open = false;
  /** The agent as GET /api/agents shows it. */
  @property({ attribute: false }) agent: AgentView | null = null;
  /** Sends the deletion (the page's DELETE /api/agents/:name). */
  @property({ attribute: false }) perform?: (name: string) => Promise<unknown>;

  @state() phase: DeletePhase = 'confirm';
  @state() private outcome = '';
  /** The name asked about; kept while the outcome shows, even after the page drops the agent. */
  @state() private target = '';

  @query('sl-dialog') private dialog!: SlDialog;
  @query('sl-button.cancel') private cancelButton?: SlButton;

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('open') && this.open) { this.phase = 'confirm'; this.outcome = ''; }
    if (this.phase === 'confirm' && this.agent) this.target = this.agent.name;
  }

  render() {
    return html`<sl-dialog label="Delete ${this.target || 'agent'}" ?open=${this.open}
      @sl-initial-focus=${this.onInitialFocus} @sl-request-close=${this.onRequestClose} @sl-after-hide=${this.onAfterHide}>
      ${this.renderBody()}${this.renderFooter()}</sl-dialog>`;
  }

  private renderBody() {
    switch (this.phase) {
      case 'confirm': {
        if (!this.agent) return nothing;
        const { blocker, effects } = describeDeletion(this.agent);
        return html`<p class="question">Delete the agent <span class="name">${this.agent.name}</span>?</p>
          ${blocker ? html`<p class="blocker" role="note"><oc-icon .icon=${TriangleAlert}></oc-icon><span>${blocker}</span></p>` : nothing}
          <ul class="effects">${effects.map((e) => html`<li>${e}</li>`)}</ul>`;
      }
      case 'running': return html`<p class="progress" role="status"><sl-spinner></sl-spinner>Deleting ${this.target}…</p>`;
      case 'done': return html`<p class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon><span>${this.outcome}</span></p>`;
      case 'failed': return html`<p class="outcome bad" role="alert"><oc-icon .icon=${CircleX}></oc-icon><span>${this.outcome}</span></p>`;
    }
  }

  private renderFooter() {
    if (this.phase === 'confirm') {
      return html`<sl-button slot="footer" class="cancel" @click=${this.close}>Cancel</sl-button>
        <sl-button slot="footer" class="confirm" variant="danger" ?disabled=${!this.agent} @click=${() => this.confirm()}>Delete ${this.target}</sl-button>`;
    }
    if (this.phase === 'running') return html`<sl-button slot="footer" disabled>Working…</sl-button>`;
    return html`<sl-button slot="footer" class="close" variant="primary" @click=${this.close}>Close</sl-button>`;
  }

  /** Sends the deletion; also reachable programmatically (tests). */
  async confirm(): Promise<void> {
    if (this.phase !== 'confirm' || !this.agent || !this.perform) return;
    const name = this.agent.name;
    this.target = name;
    this.phase = 'running';
    let detail: AgentDeletedDetail;
    try {
      await this.perform(name);
      this.outcome = `Deleted ${name}.`;
      this.phase = 'done';
      detail = { agent: name, ok: true };
    } catch (err) {
      this.outcome = `${name} was not deleted: ${errorMessage(err)}`;
      this.phase = 'failed';
      detail = { agent: name, ok: false, error: errorMessage(err) };
    }
    await this.updateComplete;
    this.renderRoot.querySelector<SlButton>('sl-button.close')?.focus();
    this.dispatchEvent(new CustomEvent<AgentDeletedDetail>('agent-deleted', { detail, bubbles: true, composed: true }));
  }

  private close = () => { if (this.phase !== 'running') this.open = false; };

  private onInitialFocus(e: Event): void {
    // A destructive question starts on Cancel, so Enter alone does not delete.
    e.preventDefault();
    this.cancelButton?.focus();
  }

  private onRequestClose(e: Event): void {
    if (this.phase === 'running') e.preventDefault();
  }

  private onAfterHide(e: Event): void {
    if (e.target !== this.dialog) return;
    this.open = false;
    this.dispatchEvent(new CustomEvent('agent-delete-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'agent-delete-dialog': AgentDeleteDialog }
}
