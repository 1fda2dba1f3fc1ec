// Edits one agent's definition (admin): description, parent, and the launch command with its arguments,
// working directory, limits and environment. Stored environment values are never shown: each stored name is
// kept (default), removed, or given a new value. The request is the page's (`perform`, a PUT /api/agents/:name);
// the gateway's per-field verdict (`details`: launch.command, launch.timeoutSeconds, parent, …) is shown by each field.
// With mode="create" the same form defines a new agent: the name is entered (checked like the gateway checks it,
// and against the agents already known) and the page's `create` sends POST /api/agents.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { CircleCheck, CircleX, Plus, Trash2 } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import { tokens, focusRing } from '../styles/theme.js';
import { fieldErrors, type AgentView } from '../pages/agents-data.js';
import { ApiClientError } from '../api/api-client.js';
import './oc-icon.js';

/** The launch as GET /api/agents shows it: environment names only. */
export type AgentLaunchView = NonNullable<AgentView['launch']> & { envKeys?: string[] };
export interface AgentLaunchBody {
  command: string; args: string[]; cwd?: string; env?: Record<string, string>; envKeys?: string[];
  timeoutSeconds: number; maxConcurrent: number;
}
export interface AgentUpdateBody { description: string; parent: string | null; launch: AgentLaunchBody | null }
/** POST /api/agents: the launch takes no `envKeys` (nothing is stored yet). */
export interface AgentCreateBody { name: string; description: string; parent: string | null; launch: Omit<AgentLaunchBody, 'envKeys'> | null }
export type AgentEditorMode = 'edit' | 'create';
export interface StoredEnv { name: string; action: 'keep' | 'remove'; value: string }
export interface NewEnv { name: string; value: string }
export interface AgentSavedDetail { agent: string; ok: boolean; error?: string; created?: boolean }

const KNOWN_FIELDS = /^(name|description|parent|launch|launch\.(command|args(\.\d+)?|cwd|timeoutSeconds|maxConcurrent|env(\..*)?|envKeys(\..*)?))$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** The gateway's agent-name rule (agent-schema.ts). */
export const AGENT_NAME = /^[a-z][a-z0-9-]{1,39}$/;

const requestErrorText = (err: unknown): string => (err instanceof Error && err.message ? err.message : 'The request failed');

/** Why a new agent's name cannot be used, or '' when it can. */
export function agentNameProblem(name: string, existing: readonly string[]): string {
  if (!name) return 'Enter a name, e.g. lead-scorer.';
  if (!AGENT_NAME.test(name)) return 'Use 2–40 lowercase letters, digits or dashes, starting with a letter.';
  if (existing.includes(name)) return `An agent named "${name}" already exists.`;
  return '';
}

@customElement('agent-editor')
export class AgentEditor extends LitElement {
  static styles = [tokens, focusRing, css`
    form { display: grid; gap: 0.8rem; }
    fieldset { border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.6rem 0.7rem; margin: 0; display: grid; gap: 0.6rem; min-width: 0; }
    legend, label.field { font-weight: 600; font-size: 0.875rem; }
    label.field { display: grid; gap: 0.3rem; min-width: 0; }
    .hint { font-weight: 400; color: var(--oc-fg-muted); font-size: 0.8rem; }
    input[type='text'], input[type='number'], input[type='password'], select, textarea { min-height: var(--oc-tap); box-sizing: border-box; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; padding: 0 0.6rem; width: 100%; min-width: 0; }
    textarea { padding: 0.5rem 0.6rem; resize: vertical; min-height: 4.5rem; }
    .mono { font-family: var(--oc-mono); font-size: 0.85rem; }
    [aria-invalid='true'] { border: 2px solid var(--oc-bad); }
    .error { color: var(--oc-bad); font-size: 0.85rem; font-weight: 600; margin: 0; }
    .error:empty { display: none; }
    .form-error { color: var(--oc-bad); background: var(--oc-bad-bg); border: 1px solid currentColor; border-radius: 8px; padding: 0.5rem 0.7rem; margin: 0; }
    .row2 { display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
    .check { display: flex; align-items: center; gap: 0.5rem; min-height: var(--oc-tap); font-weight: 600; font-size: 0.9rem; }
    .check input { width: 1.2rem; height: 1.2rem; }
    .env { display: grid; gap: 0.4rem; grid-template-columns: minmax(0, 1fr) auto; align-items: center; border-top: 1px solid var(--oc-border); padding-top: 0.5rem; }
    .env .name { font-family: var(--oc-mono); font-size: 0.85rem; overflow-wrap: anywhere; }
    .env .full { grid-column: 1 / -1; }
    .env.removed .name { text-decoration: line-through; color: var(--oc-fg-muted); }
    .env select { width: auto; }
    .newenv { display: grid; gap: 0.4rem; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto; align-items: center; }
    @media (max-width: 420px) { .newenv { grid-template-columns: minmax(0, 1fr) auto; } .newenv .val { grid-column: 1 / 2; grid-row: 2; } }
    button { display: inline-flex; align-items: center; gap: 0.35rem; min-height: var(--oc-tap); min-width: var(--oc-tap); justify-content: center;
      padding: 0 0.8rem; border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface-2); color: var(--oc-fg);
      font: inherit; font-size: 0.875rem; cursor: pointer; --oc-icon-size: 1em; }
    button.add { justify-self: start; }
    .progress, .outcome { display: flex; gap: 0.6rem; align-items: center; font-weight: 600; flex-wrap: wrap; margin: 0; }
    .outcome.ok { color: var(--oc-ok); } .outcome.bad { color: var(--oc-bad); }
    sl-dialog { --width: min(40rem, 100vw); }
    sl-dialog::part(panel) { max-height: calc(100dvh - 1rem); }
    sl-button::part(base) { min-height: var(--oc-tap); }
  `];

  @property({ type: Boolean, reflect: true }) open = false;
  /** "edit" changes `agent`; "create" defines a new one (then `agent` is not used). */
  @property({ reflect: true }) mode: AgentEditorMode = 'edit';
  /** The agent as GET /api/agents shows it; editing starts from it each time the dialog opens. */
  @property({ attribute: false }) agent: AgentView | null = null;
  /** All agents (parent choices: every other one). */
  @property({ attribute: false }) agents: AgentView[] = [];
  /** Sends the update (the page's PUT /api/agents/:name). */
  @property({ attribute: false }) perform?: (name: string, body: AgentUpdateBody) => Promise<unknown>;
  /** Sends a new definition (the page's POST /api/agents); create mode. */
  @property({ attribute: false }) create?: (body: AgentCreateBody) => Promise<unknown>;

  @state() name = '';

  @state() description = '';
  @state() parent = '';
  @state() launchEnabled = false;
  @state() command = '';
  @state() argsText = '';
  @state() cwd = '';
  @state() timeout = '3600';
  @state() maxConcurrent = '1';
  @state() storedEnv: StoredEnv[] = [];
  @state() newEnv: NewEnv[] = [];
  @state() errors: Record<string, string> = {};
  @state() formError = '';
  @state() saving = false;
  @state() outcome: 'ok' | '' = '';
  /** The name the last successful create stored (the form keeps showing it). */
  @state() private createdName = '';

  @query('input[name="name"]') private nameInput?: HTMLInputElement;

  get creating(): boolean { return this.mode === 'create'; }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Live updates hand in new agent objects all the time; only opening (or another agent) starts the form over.
    const prev = changed.get('agent') as AgentView | null | undefined;
    const otherAgent = !this.creating && changed.has('agent') && prev?.name !== this.agent?.name;
    if (this.open && !this.saving && ((changed.has('open') && !changed.get('open')) || otherAgent)) this.reset();
  }

  /** Starts the form over from `agent`. */
  reset(): void {
    const a = this.creating ? null : this.agent;
    this.name = '';
    this.createdName = '';
    const launch = (a?.launch ?? null) as AgentLaunchView | null;
    this.description = a?.description ?? '';
    this.parent = a?.parent ?? '';
    this.launchEnabled = launch !== null;
    this.command = launch?.command ?? '';
    this.argsText = (launch?.args ?? []).join('\n');
    this.cwd = launch?.cwd ?? '';
    this.timeout = String(launch?.timeoutSeconds ?? 3600);
    this.maxConcurrent = String(launch?.maxConcurrent ?? 1);
    this.storedEnv = (launch?.envKeys ?? Object.keys(launch?.env ?? {})).map((name) => ({ name, action: 'keep', value: '' }));
    this.newEnv = [];
    this.errors = {};
    this.formError = '';
    this.outcome = '';
  }

  /** The PUT body for what the form holds. */
  body(): AgentUpdateBody {
    if (!this.launchEnabled) return { description: this.description, parent: this.parent || null, launch: null };
    const env: Record<string, string> = {};
    const envKeys: string[] = [];
    for (const e of this.storedEnv) {
      if (e.action === 'remove') continue;
      if (e.value !== '') env[e.name] = e.value; else envKeys.push(e.name);
    }
    for (const e of this.newEnv) if (e.name.trim()) env[e.name.trim()] = e.value;
    const launch: AgentLaunchBody = {
      command: this.command.trim(),
      args: this.argsText.split('\n').map((s) => s.trim()).filter(Boolean),
      timeoutSeconds: Number(this.timeout),
      maxConcurrent: Number(this.maxConcurrent),
      envKeys,
    };
    if (this.cwd.trim()) launch.cwd = this.cwd.trim();
    if (Object.keys(env).length) launch.env = env;
    return { description: this.description, parent: this.parent || null, launch };
  }

  /** The POST body for what the form holds (create mode). */
  createBody(): AgentCreateBody {
    const { launch, ...rest } = this.body();
    if (!launch) return { name: this.name.trim(), ...rest, launch: null };
    const { envKeys: _none, ...withoutKeys } = launch;
    return { name: this.name.trim(), ...rest, launch: withoutKeys };
  }

  /** Catches what needs no server; fills `errors`. */
  checkLocally(): boolean {
    const errors: Record<string, string> = {};
    if (this.creating) {
      const problem = agentNameProblem(this.name.trim(), this.agents.map((a) => a.name));
      if (problem) errors['name'] = problem;
    }
    if (this.launchEnabled) {
      if (!this.command.trim()) errors['launch.command'] = 'Enter the command to run, e.g. node.';
      const t = Number(this.timeout);
      if (!Number.isInteger(t) || t < 1 || t > 7 * 86_400) errors['launch.timeoutSeconds'] = 'A whole number of seconds from 1 to 604800 (7 days).';
      const m = Number(this.maxConcurrent);
      if (!Number.isInteger(m) || m < 1 || m > 50) errors['launch.maxConcurrent'] = 'A whole number from 1 to 50.';
      const names = new Set(this.storedEnv.filter((e) => e.action !== 'remove').map((e) => e.name));
      for (const e of this.newEnv) {
        const name = e.name.trim();
        if (!name && !e.value) continue;
        if (!ENV_NAME.test(name)) { errors['launch.env'] = `"${name}" is not a valid name (letters, digits and _, not starting with a digit).`; break; }
        if (names.has(name)) { errors['launch.env'] = `${name} is listed twice; give the stored one a new value instead.`; break; }
        names.add(name);
      }
    }
    this.errors = errors;
    return Object.keys(errors).length === 0;
  }

  private err(key: string): string { return this.errors[key] ?? ''; }

  render() {
    const label = this.creating ? 'New agent' : `Edit ${this.agent?.name ?? 'agent'}`;
    return html`<sl-dialog label=${label} ?open=${this.open} @sl-request-close=${this.onRequestClose}
      @sl-initial-focus=${this.onInitialFocus} @sl-after-hide=${this.onAfterHide}>${this.renderBody()}${this.renderFooter()}</sl-dialog>`;
  }

  private invalid(key: string) { return this.err(key) ? 'true' : 'false'; }

  private renderBody() {
    const a = this.creating ? null : this.agent;
    if (!a && !this.creating) return nothing;
    const self = a?.name ?? this.name.trim();
    const other = Object.entries(this.errors).filter(([k]) => !KNOWN_FIELDS.test(k));
    const choices = this.agents.filter((x) => x.name !== self);
    const done = this.creating ? `Created ${this.createdName}.` : `Saved ${a?.name}.`;
    return html`<form id="form" @submit=${this.onSubmit} @keydown=${this.onKeydown} novalidate aria-label=${a ? `Definition of ${a.name}` : 'Definition of a new agent'} aria-busy=${String(this.saving)}>
      ${this.formError || other.length ? html`<p class="form-error" role="alert" tabindex="-1">${this.formError}
        ${other.map(([k, m]) => html`<span> ${k}: ${m}</span>`)}</p>` : nothing}
      ${this.outcome === 'ok' ? html`<p class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon>${done}</p>` : nothing}
      ${this.creating ? html`<label class="field">Name <span class="hint">(2–40 lowercase letters, digits or dashes; it cannot be changed later)</span>
        <input type="text" class="mono" name="name" .value=${this.name} spellcheck="false" autocomplete="off" autocapitalize="none" maxlength="40"
          placeholder="lead-scorer" required ?readonly=${this.outcome === 'ok'} aria-invalid=${this.invalid('name')} aria-describedby="name-error"
          @input=${(e: Event) => { this.name = (e.target as HTMLInputElement).value; if (this.errors['name']) this.dropError('name'); }}>
        <p class="error" id="name-error" data-field="name">${this.err('name')}</p>
      </label>` : nothing}
      <label class="field">Description
        <textarea name="description" .value=${this.description} aria-invalid=${this.invalid('description')} aria-describedby="description-error"
          @input=${(e: Event) => { this.description = (e.target as HTMLTextAreaElement).value; }}></textarea>
        <p class="error" id="description-error" data-field="description">${this.err('description')}</p>
      </label>
      <label class="field">Parent <span class="hint">(the agent that runs this one)</span>
        <select name="parent" aria-invalid=${this.invalid('parent')} aria-describedby="parent-error"
          @change=${(e: Event) => { this.parent = (e.target as HTMLSelectElement).value; }}>
          <option value="" ?selected=${!this.parent}>None (top level)</option>
          ${choices.map((x) => html`<option value=${x.name} ?selected=${this.parent === x.name}>${x.name}</option>`)}
          ${this.parent && !choices.some((x) => x.name === this.parent) ? html`<option value=${this.parent} selected>${this.parent}</option>` : nothing}
        </select>
        <p class="error" id="parent-error" data-field="parent">${this.err('parent')}</p>
      </label>
      <label class="check"><input type="checkbox" name="launch-enabled" .checked=${this.launchEnabled}
        @change=${(e: Event) => { this.launchEnabled = (e.target as HTMLInputElement).checked; }}>Launch command — the gateway can start it</label>
      <p class="error" data-field="launch">${this.err('launch')}</p>
      ${this.launchEnabled ? this.renderLaunch() : html`<p class="hint">Without a launch command the agent reports on its own and cannot be started from here.</p>`}
    </form>`;
  }

  private renderLaunch() {
    return html`<fieldset>
      <legend>Launch</legend>
      <label class="field">Command
        <input type="text" class="mono" name="command" .value=${this.command} spellcheck="false" autocomplete="off" placeholder="node"
          aria-invalid=${this.invalid('launch.command')} aria-describedby="command-error"
          @input=${(e: Event) => { this.command = (e.target as HTMLInputElement).value; }}>
        <p class="error" id="command-error" data-field="launch.command">${this.err('launch.command')}</p>
      </label>
      <label class="field">Arguments <span class="hint">(one per line)</span>
        <textarea class="mono" name="args" .value=${this.argsText} spellcheck="false" aria-invalid=${this.invalid('launch.args')} aria-describedby="args-error"
          @input=${(e: Event) => { this.argsText = (e.target as HTMLTextAreaElement).value; }}></textarea>
        <p class="error" id="args-error" data-field="launch.args">${this.errorsStarting('launch.args')}</p>
      </label>
      <label class="field">Working directory <span class="hint">(optional)</span>
        <input type="text" class="mono" name="cwd" .value=${this.cwd} spellcheck="false" autocomplete="off"
          aria-invalid=${this.invalid('launch.cwd')} aria-describedby="cwd-error" @input=${(e: Event) => { this.cwd = (e.target as HTMLInputElement).value; }}>
        <p class="error" id="cwd-error" data-field="launch.cwd">${this.err('launch.cwd')}</p>
      </label>
      <div class="row2">
        <label class="field">Timeout <span class="hint">(seconds)</span>
          <input type="number" name="timeout" min="1" max="604800" step="1" inputmode="numeric" .value=${this.timeout}
            aria-invalid=${this.invalid('launch.timeoutSeconds')} aria-describedby="timeout-error" @input=${(e: Event) => { this.timeout = (e.target as HTMLInputElement).value; }}>
          <p class="error" id="timeout-error" data-field="launch.timeoutSeconds">${this.err('launch.timeoutSeconds')}</p>
        </label>
        <label class="field">Max concurrent runs
          <input type="number" name="max-concurrent" min="1" max="50" step="1" inputmode="numeric" .value=${this.maxConcurrent}
            aria-invalid=${this.invalid('launch.maxConcurrent')} aria-describedby="max-error" @input=${(e: Event) => { this.maxConcurrent = (e.target as HTMLInputElement).value; }}>
          <p class="error" id="max-error" data-field="launch.maxConcurrent">${this.err('launch.maxConcurrent')}</p>
        </label>
      </div>
      ${this.renderEnv()}
    </fieldset>`;
  }

  private errorsStarting(prefix: string): string {
    return Object.entries(this.errors).filter(([k]) => k === prefix || k.startsWith(`${prefix}.`)).map(([, m]) => m).join('; ');
  }

  private renderEnv() {
    return html`<fieldset class="envs">
      <legend>Environment <span class="hint">(stored values are never shown; a new value replaces the stored one)</span></legend>
      ${this.storedEnv.length === 0 ? html`<p class="hint">No stored variables.</p>` : nothing}
      ${this.storedEnv.map((e, i) => html`<div class="env stored ${e.action === 'remove' ? 'removed' : ''}" data-name=${e.name}>
        <span class="name">${e.name}</span>
        <select name="env-action-${i}" aria-label="${e.name}: keep or remove" @change=${(ev: Event) => this.setStored(i, { action: (ev.target as HTMLSelectElement).value as StoredEnv['action'] })}>
          <option value="keep" ?selected=${e.action === 'keep'}>keep</option>
          <option value="remove" ?selected=${e.action === 'remove'}>remove</option>
        </select>
        ${e.action === 'keep' ? html`<input class="full mono" type="password" name="env-value-${i}" autocomplete="new-password" spellcheck="false"
          placeholder="new value (optional)" aria-label="New value for ${e.name} (leave empty to keep the stored value)" .value=${e.value}
          @input=${(ev: Event) => this.setStored(i, { value: (ev.target as HTMLInputElement).value })}>` : nothing}
      </div>`)}
      ${this.newEnv.map((e, i) => html`<div class="newenv">
        <input type="text" class="mono" name="new-env-name-${i}" placeholder="NAME" aria-label="New variable ${i + 1} name" spellcheck="false" autocomplete="off"
          .value=${e.name} @input=${(ev: Event) => this.setNew(i, { name: (ev.target as HTMLInputElement).value })}>
        <input type="password" class="mono val" name="new-env-value-${i}" placeholder="value" aria-label="New variable ${i + 1} value" autocomplete="new-password"
          .value=${e.value} @input=${(ev: Event) => this.setNew(i, { value: (ev.target as HTMLInputElement).value })}>
        <button type="button" class="remove-env" aria-label="Remove new variable ${i + 1}" @click=${() => { this.newEnv = this.newEnv.filter((_, j) => j !== i); }}>
          <oc-icon .icon=${Trash2}></oc-icon></button>
      </div>`)}
      <p class="error" data-field="launch.env" role=${this.errorsStarting('launch.env') ? 'alert' : nothing}>${[this.errorsStarting('launch.env'), this.errorsStarting('launch.envKeys')].filter(Boolean).join('; ')}</p>
      <button type="button" class="add add-env" @click=${this.addEnv}><oc-icon .icon=${Plus}></oc-icon>Add a variable</button>
    </fieldset>`;
  }

  private renderFooter() {
    if (this.saving) return html`<sl-button slot="footer" disabled><sl-spinner></sl-spinner> ${this.creating ? 'Creating…' : 'Saving…'}</sl-button>`;
    if (this.outcome === 'ok') return html`<sl-button slot="footer" class="close" variant="primary" @click=${this.close}>Close</sl-button>`;
    return html`<sl-button slot="footer" class="cancel" @click=${this.close}>Cancel</sl-button>
      <sl-button slot="footer" class="save" variant="primary" @click=${() => this.save()}>${this.creating ? 'Create' : 'Save'}</sl-button>`;
  }

  private setStored(i: number, patch: Partial<StoredEnv>): void {
    this.storedEnv = this.storedEnv.map((e, j) => (j === i ? { ...e, ...patch } : e));
  }
  private setNew(i: number, patch: Partial<NewEnv>): void {
    this.newEnv = this.newEnv.map((e, j) => (j === i ? { ...e, ...patch } : e));
  }
  private addEnv = async () => {
    this.newEnv = [...this.newEnv, { name: '', value: '' }];
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`input[name="new-env-name-${this.newEnv.length - 1}"]`)?.focus();
  };

  private dropError(key: string): void {
    const { [key]: _gone, ...rest } = this.errors;
    this.errors = rest;
  }

  private onSubmit = (e: Event) => { e.preventDefault(); void this.save(); };

  /** Enter in a one-line field saves (a form with several text fields has no implicit submission). */
  private onKeydown = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || e.isComposing || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
    const target = e.composedPath()[0];
    if (!(target instanceof HTMLInputElement) || target.type === 'checkbox') return;
    e.preventDefault();
    void this.save();
  };

  /** Checks, then sends the update (or, in create mode, the new definition); on a 400 the gateway's field
   *  errors go by their fields, and a name already taken (409) goes by the name. */
  async save(): Promise<void> {
    if (this.creating) return this.saveNew();
    if (this.saving || !this.agent || !this.perform) return;
    this.formError = '';
    this.outcome = '';
    if (!this.checkLocally()) { await this.focusFirstError(); return; }
    const name = this.agent.name;
    const perform = this.perform;
    await this.submit(async () => {
      try {
        await perform(name, this.body());
        this.outcome = 'ok';
        this.storedEnv = this.storedEnv.filter((e) => e.action !== 'remove').map((e) => ({ ...e, value: '' }));
        return { agent: name, ok: true };
      } catch (err) {
        const message = requestErrorText(err);
        this.errors = err instanceof ApiClientError ? fieldErrors(err.details) : {};
        const status = err instanceof ApiClientError ? err.status : 0;
        this.formError = status === 403 ? 'Only admins can change agents.'
          : status === 404 ? `${name} no longer exists.` : `${name} was not saved: ${message}`;
        return { agent: name, ok: false, error: message };
      }
    });
  }

  private async saveNew(): Promise<void> {
    if (this.saving || !this.create || this.outcome === 'ok') return;
    this.formError = '';
    if (!this.checkLocally()) { await this.focusFirstError(); return; }
    const body = this.createBody();
    const create = this.create;
    await this.submit(async () => {
      try {
        await create(body);
        this.outcome = 'ok';
        this.createdName = body.name;
        return { agent: body.name, ok: true, created: true };
      } catch (err) {
        const message = requestErrorText(err);
        const apiErr = err instanceof ApiClientError ? err : null;
        this.errors = apiErr ? fieldErrors(apiErr.details) : {};
        if (apiErr?.code === 'agent_exists') this.errors = { ...this.errors, name: message };
        this.formError = apiErr?.status === 403 ? 'Only admins can add agents.' : `${body.name} was not created: ${message}`;
        return { agent: body.name, ok: false, error: message, created: false };
      }
    });
  }

  /** Runs the request with the dialog busy, then moves focus (to Close, or to the first error) and tells the page. */
  private async submit(request: () => Promise<AgentSavedDetail>): Promise<void> {
    this.saving = true;
    let detail: AgentSavedDetail;
    try {
      detail = await request();
    } finally {
      this.saving = false;
    }
    await this.updateComplete;
    if (detail.ok) this.renderRoot.querySelector<HTMLElement>('sl-button.close')?.focus();
    else await this.focusFirstError();
    this.dispatchEvent(new CustomEvent<AgentSavedDetail>('agent-saved', { detail, bubbles: true, composed: true }));
  }

  private async focusFirstError(): Promise<void> {
    await this.updateComplete;
    const target = this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]') ?? this.renderRoot.querySelector<HTMLElement>('.form-error');
    target?.focus?.();
  }

  private close = () => { if (!this.saving) this.open = false; };

  private onRequestClose(e: Event): void {
    if (this.saving) e.preventDefault();
  }

  private onInitialFocus(e: Event): void {
    // A new agent starts with its name; an edit keeps Shoelace's default (the dialog panel).
    if (!this.creating) return;
    e.preventDefault();
    if (!this.saving && this.outcome !== 'ok') this.nameInput?.focus();
  }

  private onAfterHide(e: Event): void {
    if ((e.target as Element).tagName !== 'SL-DIALOG') return;
    this.open = false;
    this.dispatchEvent(new CustomEvent('agent-editor-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'agent-editor': AgentEditor }
}
