// Edits one agent's schedule (admin): cron expressions, timezone and enabled. Obvious mistakes are caught
// here; the gateway's verdict (`errors`, per field: cron, cron.N, timezone, enabled) is shown by each field.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Plus, Trash2 } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { describeCron } from '../pages/agents-data.js';
import './oc-icon.js';

export interface ScheduleValue { crons: string[]; timezone: string; enabled: boolean }
export interface ScheduleSaveDetail extends ScheduleValue { agent: string }

const KNOWN_FIELDS = /^(cron(\.\d+)?|timezone|enabled)$/;

function zoneIsValid(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

@customElement('schedule-editor')
export class ScheduleEditor extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; }
    form { display: grid; gap: 0.8rem; }
    fieldset { border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.6rem 0.7rem; margin: 0; display: grid; gap: 0.5rem; }
    legend, label.field { font-weight: 600; font-size: 0.875rem; }
    label.field { display: grid; gap: 0.3rem; }
    .cron { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.2rem 0.4rem; align-items: center; }
    .cron .said { grid-column: 1 / -1; font-size: 0.78rem; color: var(--oc-fg-muted); }
    input[type='text'] { min-height: var(--oc-tap); box-sizing: border-box; border-radius: 8px; border: 1px solid var(--oc-border);
      background: var(--oc-surface); color: var(--oc-fg); font: inherit; padding: 0 0.6rem; width: 100%; }
    input.mono { font-family: var(--oc-mono); }
    input[aria-invalid='true'] { border: 2px solid var(--oc-bad); }
    .error { grid-column: 1 / -1; color: var(--oc-bad); font-size: 0.85rem; font-weight: 600; margin: 0; }
    .error:empty { display: none; }
    button { display: inline-flex; align-items: center; gap: 0.35rem; min-height: var(--oc-tap); min-width: var(--oc-tap); justify-content: center;
      padding: 0 0.8rem; border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface-2); color: var(--oc-fg);
      font: inherit; font-size: 0.875rem; cursor: pointer; --oc-icon-size: 1em; }
    button.primary { background: var(--oc-accent); color: var(--oc-bg); border-color: var(--oc-accent); font-weight: 600; }
    button.add { justify-self: start; }
    .check { display: flex; align-items: center; gap: 0.5rem; min-height: var(--oc-tap); font-weight: 600; font-size: 0.9rem; }
    .check input { width: 1.2rem; height: 1.2rem; }
    .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .form-error { color: var(--oc-bad); background: var(--oc-bad-bg); border: 1px solid currentColor; border-radius: 8px; padding: 0.5rem 0.7rem; margin: 0; }
    .hint { font-weight: 400; color: var(--oc-fg-muted); font-size: 0.8rem; }
  `];

  @property() agent = '';
  /** The schedule as stored; editing starts from it. */
  @property({ attribute: false }) value: ScheduleValue = { crons: [], timezone: 'Asia/Kolkata', enabled: true };
  /** Per-field messages from the gateway (see agents-data.ts fieldErrors). */
  @property({ attribute: false }) errors: Record<string, string> = {};
  /** A message about the whole save (e.g. the request failed). */
  @property() formError = '';
  @property({ type: Boolean }) saving = false;

  @state() crons: string[] = [];
  @state() timezone = '';
  @state() enabled = true;
  @state() private localErrors: Record<string, string> = {};

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('value')) {
      this.crons = this.value.crons.length ? [...this.value.crons] : [''];
      this.timezone = this.value.timezone;
      this.enabled = this.value.enabled;
      this.localErrors = {};
    }
  }

  private errorFor(key: string): string {
    return this.localErrors[key] ?? this.errors[key] ?? '';
  }

  render() {
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const other = Object.entries(this.errors).filter(([k]) => !KNOWN_FIELDS.test(k));
    return html`<form @submit=${this.onSubmit} novalidate aria-label="Schedule of ${this.agent}">
      ${this.formError || other.length ? html`<p class="form-error" role="alert">${this.formError}
        ${other.map(([k, m]) => html`<span> ${k}: ${m}</span>`)}</p>` : nothing}
      <fieldset>
        <legend>When it runs <span class="hint">(cron: minute hour day month weekday)</span></legend>
        ${this.crons.map((c, i) => {
          const err = this.errorFor(`cron.${i}`);
          return html`<div class="cron">
            <input type="text" class="mono" name="cron-${i}" .value=${c} aria-label="Cron expression ${i + 1}" spellcheck="false"
              aria-invalid=${err ? 'true' : 'false'} aria-describedby="cron-${i}-error" @input=${(e: Event) => this.setCron(i, (e.target as HTMLInputElement).value)}>
            <button type="button" class="remove" aria-label="Remove cron expression ${i + 1}" @click=${() => this.removeCron(i)}><oc-icon .icon=${Trash2}></oc-icon></button>
            ${c.trim() && describeCron(c) !== c ? html`<span class="said">${describeCron(c)} (${this.timezone})</span>` : nothing}
            <p class="error" id="cron-${i}-error" data-field="cron.${i}">${err}</p>
          </div>`;
        })}
        <p class="error" data-field="cron" role=${this.errorFor('cron') ? 'alert' : nothing}>${this.errorFor('cron')}</p>
        <button type="button" class="add" @click=${this.addCron}><oc-icon .icon=${Plus}></oc-icon>Add a time</button>
      </fieldset>
      <label class="field">Timezone
        <input type="text" name="timezone" list="zones" .value=${this.timezone} autocomplete="off" spellcheck="false"
          aria-invalid=${this.errorFor('timezone') ? 'true' : 'false'} aria-describedby="timezone-error"
          @input=${(e: Event) => { this.timezone = (e.target as HTMLInputElement).value; }}>
        <datalist id="zones">${zones.map((z) => html`<option value=${z}></option>`)}</datalist>
        <p class="error" id="timezone-error" data-field="timezone">${this.errorFor('timezone')}</p>
      </label>
      <label class="check"><input type="checkbox" name="enabled" .checked=${this.enabled}
        @change=${(e: Event) => { this.enabled = (e.target as HTMLInputElement).checked; }}>Enabled — runs start on this schedule</label>
      <p class="error" data-field="enabled">${this.errorFor('enabled')}</p>
      <div class="actions">
        <button type="submit" class="primary save" ?disabled=${this.saving}>${this.saving ? 'Saving…' : 'Save schedule'}</button>
        <button type="button" class="cancel" ?disabled=${this.saving}
          @click=${() => this.dispatchEvent(new CustomEvent('schedule-cancel', { detail: { agent: this.agent }, bubbles: true, composed: true }))}>Cancel</button>
      </div>
    </form>`;
  }

  private setCron(i: number, text: string): void {
    const next = [...this.crons];
    next[i] = text;
    this.crons = next;
  }
  private addCron = () => { this.crons = [...this.crons, '']; };
  private removeCron(i: number): void {
    this.crons = this.crons.filter((_, j) => j !== i);
    if (this.crons.length === 0) this.crons = [''];
  }

  /** Catches what needs no server: empty rows, a wrong field count, an unknown timezone. */
  checkLocally(): boolean {
    const errors: Record<string, string> = {};
    const filled = this.crons.map((c) => c.trim());
    filled.forEach((c, i) => {
      const fields = c.split(/\s+/).length;
      if (c && !c.startsWith('@') && (fields < 5 || fields > 7)) errors[`cron.${i}`] = `Expected 5 fields (minute hour day month weekday), got ${fields}.`;
    });
    if (this.enabled && filled.every((c) => !c)) errors.cron = 'Add at least one time, or untick Enabled.';
    if (!this.timezone.trim()) errors.timezone = 'Choose a timezone, e.g. Asia/Kolkata.';
    else if (!zoneIsValid(this.timezone.trim())) errors.timezone = `"${this.timezone}" is not a known timezone.`;
    this.localErrors = errors;
    return Object.keys(errors).length === 0;
  }

  private onSubmit = (e: Event) => {
    e.preventDefault();
    if (this.saving || !this.checkLocally()) return;
    const detail: ScheduleSaveDetail = { agent: this.agent, crons: this.crons.map((c) => c.trim()).filter(Boolean),
      timezone: this.timezone.trim(), enabled: this.enabled };
    this.dispatchEvent(new CustomEvent<ScheduleSaveDetail>('schedule-save', { detail, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap { 'schedule-editor': ScheduleEditor }
}
