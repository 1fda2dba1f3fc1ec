// The log center's search bar: text (literal or regex, case), minimum level, sources and a time window, with
// the active filters shown as removable chips. Enter searches; a filter change searches at once. Emits
// `log-search` (detail: LogQuery) and `log-cancel` (while a search runs).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { CaseSensitive, CircleStop, Clock, Regex, Search, X } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import {
  EMPTY_QUERY, LEVELS, filterChips, isoToLocalInput, localInputToIso, sameQuery,
  type LogQuery, type LogSource,
} from '../pages/page-logs-data.js';
import './oc-icon.js';

const QUICK_RANGES: Array<{ label: string; minutes: number }> = [
  { label: 'Last 15 min', minutes: 15 }, { label: 'Last hour', minutes: 60 }, { label: 'Last 24 h', minutes: 1440 },
];

@customElement('log-search-bar')
export class LogSearchBar extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: stretch; }
    .q { flex: 1 1 20rem; display: flex; gap: 0.4rem; min-width: 0; position: relative; }
    .q > oc-icon { position: absolute; left: 0.6rem; top: 50%; transform: translateY(-50%); color: var(--oc-fg-muted); pointer-events: none; }
    input, select { font: inherit; color: var(--oc-fg); background: var(--oc-bg); border: 1px solid var(--oc-border); border-radius: 8px;
      min-height: var(--oc-tap); box-sizing: border-box; padding: 0 0.6rem; min-width: 0; }
    input[type='search'] { flex: 1; width: 100%; padding-left: 2.2rem; font-family: var(--oc-mono); }
    input[type='search'].bad { border-color: var(--oc-bad); }
    .btn { display: inline-flex; align-items: center; justify-content: center; gap: 0.35rem; min-height: var(--oc-tap); min-width: var(--oc-tap);
      padding: 0 0.75rem; border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg);
      font: inherit; font-size: 0.9rem; cursor: pointer; box-sizing: border-box; }
    .btn[aria-pressed='true'] { border-color: var(--oc-accent); box-shadow: inset 0 -3px 0 var(--oc-accent); font-weight: 600; }
    .btn.primary { background: var(--oc-accent); border-color: var(--oc-accent); color: var(--oc-bg); font-weight: 600; }
    .btn.stop { color: var(--oc-bad); border-color: var(--oc-bad); font-weight: 600; }
    .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    @media (max-width: 599px) { .row .btn { padding: 0 0.55rem; } select.level { max-width: 9.5rem; } }
    details { position: relative; }
    summary { list-style: none; }
    summary::-webkit-details-marker { display: none; }
    .pop { position: absolute; z-index: 5; top: calc(100% + 4px); left: 0; background: var(--oc-surface); border: 1px solid var(--oc-border);
      border-radius: var(--oc-radius); padding: 0.7rem; box-shadow: 0 6px 18px rgba(0, 0, 0, 0.25); width: max-content; max-width: min(90vw, 26rem);
      display: grid; gap: 0.4rem; }
    .pop.right { left: auto; right: 0; }
    .pop label.check { display: flex; align-items: center; gap: 0.5rem; min-height: 2.2rem; overflow-wrap: anywhere; }
    .pop input[type='checkbox'] { min-height: 0; width: 1.1rem; height: 1.1rem; }
    .pop .field { display: grid; gap: 0.2rem; font-size: 0.85rem; color: var(--oc-fg-muted); }
    .pop .quick { display: flex; flex-wrap: wrap; gap: 0.35rem; }
    .note { font-size: 0.8rem; color: var(--oc-fg-muted); margin: 0; }
    .warn { color: var(--oc-warn); font-weight: 600; }
    .chips { display: flex; flex-wrap: wrap; gap: 0.35rem; margin-top: 0.5rem; list-style: none; padding: 0; }
    .chip { display: inline-flex; align-items: center; gap: 0.3rem; min-height: 2rem; padding: 0 0.3rem 0 0.7rem; border-radius: 999px;
      border: 1px solid var(--oc-accent); color: var(--oc-fg); background: var(--oc-surface-2); font: inherit; font-size: 0.85rem; cursor: pointer; }
    .chip oc-icon { --oc-icon-size: 1rem; }
    .chip.clear { border-style: dashed; border-color: var(--oc-border); padding-right: 0.7rem; }
    @media (max-width: 599px) { .q { flex-basis: 100%; } .pop { position: fixed; left: 0.5rem; right: 0.5rem; top: auto; max-width: none; width: auto; } }
  `];

  /** The query in force (from the URL or the last search); the fields follow it when it changes. */
  @property({ attribute: false }) query: LogQuery = EMPTY_QUERY;
  @property({ attribute: false }) sources: LogSource[] = [];
  /** Why some sources are missing (e.g. "PM2 is down: …"), shown by the source list. */
  @property() sourcesNote = '';
  @property({ type: Boolean }) searching = false;
  /** A bad pattern (the gateway's invalid_regex message): shown under the field. */
  @property() fieldError = '';
  /** Why the live tail refused the pattern (the hub's invalid_regex message): shown under the field, unless fieldError says it already. */
  @property() tailError = '';

  @state() private draft: LogQuery = EMPTY_QUERY;
  @query('input[type="search"]') private input?: HTMLInputElement;

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query') && !sameQuery(this.query, this.draft)) this.draft = { ...this.query, sources: [...this.query.sources] };
  }

  /** Focuses the text field (the `/` shortcut). */
  focusSearch(): boolean {
    const input = this.input;
    if (!input) return false;
    input.focus();
    input.select();
    return true;
  }

  /** Searches with what the fields hold now. */
  submit(): void {
    const q = this.input?.value ?? this.draft.q;
    this.draft = { ...this.draft, q: q.slice(0, 1000) };
    this.dispatchEvent(new CustomEvent<LogQuery>('log-search', { detail: { ...this.draft, sources: [...this.draft.sources] }, bubbles: true, composed: true }));
  }

  /** Changes a filter and searches at once (the text typed so far goes along). */
  private apply(change: Partial<LogQuery>): void {
    this.draft = { ...this.draft, q: this.input?.value ?? this.draft.q, ...change };
    this.submit();
  }

  private sourceLabel = (id: string): string => this.sources.find((s) => s.id === id)?.label ?? id;

  render() {
    const d = this.draft;
    const chips = filterChips(this.query, this.sourceLabel);
    // A pattern that does not compile is refused by the search and the tail alike: one message is enough.
    const tailError = this.fieldError ? '' : this.tailError;
    const error = this.fieldError || tailError;
    return html`<form role="search" aria-label="Search the logs" @submit=${(e: Event) => { e.preventDefault(); this.submit(); }}>
        <div class="q">
          <oc-icon class="lens" .icon=${Search}></oc-icon>
          <input type="search" name="q" data-shortcut="search" aria-label="Search text" maxlength="1000" autocomplete="off" spellcheck="false"
            class=${error ? 'bad' : ''} aria-invalid=${error ? 'true' : 'false'} aria-describedby="field-error tail-error"
            placeholder=${d.regex ? 'regular expression, e.g. timeout|ECONN' : 'text to find (empty: every entry)'} .value=${d.q}
            @input=${(e: Event) => { this.draft = { ...this.draft, q: (e.target as HTMLInputElement).value }; }}>
          ${this.searching
            ? html`<button type="button" class="btn stop" @click=${() => this.dispatchEvent(new CustomEvent('log-cancel', { bubbles: true, composed: true }))}>
                <oc-icon .icon=${CircleStop}></oc-icon>Cancel</button>`
            : html`<button type="submit" class="btn primary go"><oc-icon .icon=${Search}></oc-icon>Search</button>`}
        </div>
        <div class="row">
          <button type="button" class="btn regex" aria-pressed=${String(d.regex)} title="Regular expression"
            @click=${() => this.apply({ regex: !d.regex })}><oc-icon .icon=${Regex}></oc-icon>Regex</button>
          <button type="button" class="btn case" aria-pressed=${String(d.caseSensitive)} title="Match case"
            @click=${() => this.apply({ caseSensitive: !d.caseSensitive })}><oc-icon .icon=${CaseSensitive}></oc-icon>Case</button>
          <select class="level" aria-label="Minimum level" .value=${d.level}
            @change=${(e: Event) => this.apply({ level: (e.target as HTMLSelectElement).value as LogQuery['level'] })}>
            <option value="" ?selected=${d.level === ''}>Any level</option>
            ${LEVELS.map((l) => html`<option value=${l} ?selected=${d.level === l}>${l} and above</option>`)}
          </select>
          ${this.renderSources(d)}
          ${this.renderTime(d)}
        </div>
      </form>
      ${this.fieldError ? html`<p class="note warn" id="field-error" role="alert">${this.fieldError}</p>` : nothing}
      ${tailError ? html`<p class="note warn" id="tail-error" role="alert">${tailError}</p>` : nothing}
      ${chips.length ? html`<ul class="chips" aria-label="Active filters">
        ${chips.map((c) => html`<li><button type="button" class="chip" data-chip=${c.key} aria-label="Remove filter: ${c.label}"
          @click=${() => this.apply(c.without)}>${c.label}<oc-icon .icon=${X}></oc-icon></button></li>`)}
        ${chips.length > 1 ? html`<li><button type="button" class="chip clear" @click=${() => this.apply({ ...EMPTY_QUERY, q: this.input?.value ?? '' })}>Clear filters</button></li>` : nothing}
      </ul>` : nothing}`;
  }

  private renderSources(d: LogQuery) {
    const count = d.sources.length;
    return html`<details class="sources">
      <summary class="btn" aria-label="Sources: ${count ? `${count} chosen` : 'all'}">Sources${count ? ` (${count})` : ': all'}</summary>
      <div class="pop" role="group" aria-label="Sources">
        ${this.sourcesNote ? html`<p class="note warn">${this.sourcesNote}</p>` : nothing}
        ${this.sources.length === 0 ? html`<p class="note">No sources known yet.</p>` : nothing}
        ${this.sources.map((s) => html`<label class="check"><input type="checkbox" .checked=${d.sources.includes(s.id)} value=${s.id}
          @change=${(e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            this.apply({ sources: on ? [...d.sources, s.id] : d.sources.filter((x) => x !== s.id) });
          }}>${s.label}</label>`)}
        ${count ? html`<button type="button" class="btn" @click=${() => this.apply({ sources: [] })}>All sources</button>` : nothing}
      </div>
    </details>`;
  }

  private renderTime(d: LogQuery) {
    const label = d.from || d.to ? 'Time: set' : 'Time: any';
    return html`<details class="time">
      <summary class="btn"><oc-icon .icon=${Clock}></oc-icon>${label}</summary>
      <div class="pop right" role="group" aria-label="Time window">
        <div class="quick">${QUICK_RANGES.map((r) => html`<button type="button" class="btn"
          @click=${() => this.apply({ from: new Date(Date.now() - r.minutes * 60_000).toISOString(), to: '' })}>${r.label}</button>`)}
          <button type="button" class="btn" @click=${() => this.apply({ from: '', to: '' })}>Any time</button></div>
        <label class="field">From<input type="datetime-local" class="from" .value=${isoToLocalInput(d.from)}
          @change=${(e: Event) => this.apply({ from: localInputToIso((e.target as HTMLInputElement).value) })}></label>
        <label class="field">Jump to (newest shown is at this time)<input type="datetime-local" class="to" .value=${isoToLocalInput(d.to)}
          @change=${(e: Event) => this.apply({ to: localInputToIso((e.target as HTMLInputElement).value) })}></label>
        <p class="note">Times are in this device's zone.</p>
      </div>
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'log-search-bar': LogSearchBar }
}
