// The Logs section: search every source (PM2 out/err, LOG_DIRS, the gateway's own log) by text or regex, level,
// source and time; open any hit with the entries around it and copy a link to it; follow new lines live (topic
// `logs` with a tail filter) with pause; and see errors grouped by fingerprint. The URL holds the query, so a
// search or a hit is a shareable link. Partial, cancelled, disconnected and missing-source states are said in words.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { CircleAlert, Pause, Play, Radio, RefreshCw, Trash2 } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { pageFrame } from '../styles/page-frame.js';
import { logsPageStyles } from './page-logs.styles.js';
import { ApiClientError } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import { formatBytes, formatClock } from '../app/time-format.js';
import { isTyping } from '../app/keyboard-shortcuts.js';
import {
  CONTEXT_STEP, EMPTY_QUERY, MAX_CONTEXT, fetchContext, fetchGroup, fetchGroups, fetchSearch, fetchSources, hitLink, pageUrl,
  postCleanup, queryFromUrl, sameQuery,
  type ContextReply, type ErrorGroup, type HitRef, type LogQuery, type LogSource, type Occurrence, type SearchReply,
} from './page-logs-data.js';
import { LogTailController } from './log-tail-controller.js';
import type { LogList, LogOpenDetail } from '../components/log-list.js';
import type { LogSearchBar } from '../components/log-search-bar.js';
import type { ContextMoreDetail } from '../components/log-context.js';
import '../components/oc-icon.js';
import '../components/log-search-bar.js';
import '../components/log-list.js';
import '../components/log-context.js';
import '../components/error-groups.js';
import '../components/log-cleanup-dialog.js';
import type { LoadsFirstData } from '../app/first-load.js';

type SearchPhase = 'idle' | 'searching' | 'done' | 'cancelled' | 'failed';
type View = 'results' | 'tail';

const errorText = (err: unknown, fallback: string): string => (err instanceof Error && err.message ? err.message : fallback);

@customElement('page-logs')
export class PageLogs extends LitElement implements LoadsFirstData {
  /** The first sources, groups and search (first-load.ts): the shell shows the page once they have settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, pageFrame, logsPageStyles];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;
  /** Set by @vaadin/router. */
  @property({ attribute: false }) location?: { search?: string; pathname?: string };

  @state() query: LogQuery = EMPTY_QUERY;
  @state() view: View = 'results';
  @state() private sources: LogSource[] = [];
  @state() private sourcesNote = '';
  @state() private pm2Down = '';
  @state() private sourcesAt: string | null = null;
  /** The first answer about sources (or its failure) is in: until then the page body stays invisible, since a banner may go on top. */
  @state() private sourcesSettled = false;
  @state() searchPhase: SearchPhase = 'idle';
  @state() private searchError = '';
  @state() private fieldError = '';
  @state() private last: SearchReply | null = null;
  @state() private hitCount = 0;
  @state() private loadingMore = false;
  @state() private searchStartedAt = 0;
  @state() private ctxHit: HitRef | null = null;
  @state() private ctxData: ContextReply | null = null;
  @state() private ctxLoading = false;
  @state() private ctxError = '';
  @state() private groups: ErrorGroup[] = [];
  @state() private groupsLoading = false;
  @state() private groupsError = '';
  @state() private groupsNote = '';
  @state() private expanded = '';
  @state() private occurrences: Occurrence[] | null = null;
  @state() private userRole: string | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private copied: { link: string; ok: boolean } | null = null;
  @state() private cleanupOpen = false;

  @query('log-list.results') private resultsList?: LogList;
  @query('log-list.tail') private tailList?: LogList;
  @query('log-search-bar') private searchBar?: LogSearchBar;

  private searchAbort: AbortController | null = null;
  private ctxAbort: AbortController | null = null;
  private ctxBefore = CONTEXT_STEP;
  private ctxAfter = CONTEXT_STEP;
  private readonly liveness = new PageLivenessController(this, { tickMs: 1_000 });
  /** The live tail: its subscription, pause, counts and the hub's refusals of its pattern. */
  readonly tail = new LogTailController(this, { query: () => this.query, list: () => this.tailList });

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onWindowKey);
    const { query: q, hit } = queryFromUrl(this.location?.search ?? window.location.search);
    this.query = q;
    this.firstLoad = Promise.allSettled([this.loadSources(), this.loadGroups(), this.search(q, { keepHit: true })]);
    if (hit) void this.openContext(hit);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onWindowKey);
    this.searchAbort?.abort();
    this.ctxAbort?.abort();
  }

  /** The `/` shortcut: the search field. */
  focusSearch(): boolean {
    return this.searchBar?.focusSearch() ?? false;
  }

  /** Whether the live tail is on (a refused tail stays on, waiting for another pattern). */
  get tailOn(): boolean {
    return this.tail.on;
  }

  private get activeList(): LogList | undefined {
    return this.view === 'tail' ? this.tailList : this.resultsList;
  }

  // ---- URL ----

  private writeUrl(): void {
    const url = pageUrl(this.query, this.ctxHit);
    if (`${window.location.pathname}${window.location.search}` !== url) window.history.replaceState(window.history.state, '', url);
  }

  // ---- sources ----

  async loadSources(): Promise<void> {
    try {
      const reply = await fetchSources();
      this.sources = reply.sources;
      this.sourcesAt = reply.observedAt;
      this.pm2Down = reply.pm2?.state === 'down' ? reply.pm2.detail || 'PM2 could not be reached' : '';
      this.sourcesNote = this.pm2Down ? `PM2 is down: its process logs are missing from this list (${this.pm2Down}).` : '';
    } catch (err) {
      this.sourcesNote = `The list of sources could not be loaded — ${errorText(err, 'request failed')}`;
    } finally {
      this.sourcesSettled = true;
    }
  }

  // ---- search ----

  /** Runs a search (the first page); a search still running is cancelled first. */
  async search(q: LogQuery, opts: { keepHit?: boolean } = {}): Promise<void> {
    this.searchAbort?.abort();
    const abort = new AbortController();
    this.searchAbort = abort;
    const changed = !sameQuery(q, this.query);
    this.query = q;
    if (!opts.keepHit && changed) this.closeContext(false);
    this.writeUrl();
    this.searchPhase = 'searching';
    this.searchStartedAt = Date.now();
    this.searchError = '';
    this.fieldError = '';
    this.last = null;
    this.hitCount = 0;
    if (!this.tail.on) this.view = 'results';
    await this.updateComplete;
    this.resultsList?.setLines([]);
    if (this.tail.on && changed) this.tail.start();
    try {
      const reply = await fetchSearch(q, null, abort.signal);
      if (this.searchAbort !== abort) return;
      this.resultsList?.setLines(reply.hits);
      this.hitCount = this.resultsList?.lines.length ?? reply.hits.length;
      this.last = reply;
      this.searchPhase = 'done';
    } catch (err) {
      if (this.searchAbort !== abort) return;
      this.failSearch(err);
    } finally {
      if (this.searchAbort === abort) this.searchAbort = null;
    }
  }

  /** The next page (older hits, or the rest of a partial page). */
  async loadMore(): Promise<void> {
    const cursor = this.last?.nextCursor;
    if (!cursor || this.loadingMore) return;
    const abort = new AbortController();
    this.searchAbort = abort;
    this.loadingMore = true;
    this.searchPhase = 'searching';
    this.searchStartedAt = Date.now();
    try {
      const reply = await fetchSearch(this.query, cursor, abort.signal);
      if (this.searchAbort !== abort) return;
      this.resultsList?.addLines(reply.hits);
      this.hitCount = this.resultsList?.lines.length ?? this.hitCount + reply.hits.length;
      this.last = { ...reply, scannedBytes: (this.last?.scannedBytes ?? 0) + reply.scannedBytes };
      this.searchPhase = 'done';
    } catch (err) {
      if (this.searchAbort !== abort) return;
      this.failSearch(err);
    } finally {
      this.loadingMore = false;
      if (this.searchAbort === abort) this.searchAbort = null;
    }
  }

  private failSearch(err: unknown): void {
    if (err instanceof DOMException && err.name === 'AbortError') {
      this.searchPhase = 'cancelled';
      return;
    }
    this.searchPhase = 'failed';
    if (err instanceof ApiClientError && err.code === 'invalid_regex') this.fieldError = `Not a valid pattern: ${err.message}`;
    else if (err instanceof ApiClientError && err.code === 'regex_timeout') this.searchError = `The pattern took too long and was stopped: ${err.message}`;
    else this.searchError = `The search failed — ${errorText(err, 'request failed')}`;
  }

  /** Stops the running search (the gateway stops when the request is dropped). */
  cancelSearch(): void {
    const abort = this.searchAbort;
    if (!abort) return;
    this.searchAbort = null;
    abort.abort();
    this.loadingMore = false;
    this.searchPhase = 'cancelled';
  }

  // ---- context and links ----

  async openContext(hit: HitRef, focus = false): Promise<void> {
    this.ctxAbort?.abort();
    const abort = new AbortController();
    this.ctxAbort = abort;
    const same = this.ctxHit && this.ctxHit.file === hit.file && this.ctxHit.offset === hit.offset;
    if (!same) {
      this.ctxBefore = CONTEXT_STEP;
      this.ctxAfter = CONTEXT_STEP;
      this.ctxData = null;
    }
    this.ctxHit = { file: hit.file, offset: hit.offset };
    this.ctxLoading = true;
    this.ctxError = '';
    this.writeUrl();
    if (focus) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.context-card')?.scrollIntoView({ block: 'nearest' });
    }
    try {
      const reply = await fetchContext(hit, this.ctxBefore, this.ctxAfter, abort.signal);
      if (this.ctxAbort !== abort) return;
      this.ctxData = reply;
    } catch (err) {
      if (this.ctxAbort !== abort || (err instanceof DOMException && err.name === 'AbortError')) return;
      this.ctxError = err instanceof ApiClientError && err.code === 'not_found'
        ? 'This entry is no longer available: its file is gone or is not a log source any more.'
        : `The entries around it could not be loaded — ${errorText(err, 'request failed')}`;
    } finally {
      if (this.ctxAbort === abort) this.ctxLoading = false;
    }
  }

  private closeContext(updateUrl = true): void {
    this.ctxAbort?.abort();
    this.ctxHit = null;
    this.ctxData = null;
    this.ctxError = '';
    this.ctxLoading = false;
    if (updateUrl) this.writeUrl();
  }

  private onContextMore = (e: CustomEvent<ContextMoreDetail>) => {
    if (!this.ctxHit) return;
    if (e.detail.direction === 'before') this.ctxBefore = Math.min(MAX_CONTEXT, this.ctxBefore + CONTEXT_STEP * 2);
    else this.ctxAfter = Math.min(MAX_CONTEXT, this.ctxAfter + CONTEXT_STEP * 2);
    void this.openContext(this.ctxHit);
  };

  /** Puts an entry's link on the clipboard; when the browser refuses, shows it to copy by hand. */
  async copyLink(hit: HitRef): Promise<void> {
    const link = hitLink(hit);
    let ok = false;
    try {
      await navigator.clipboard.writeText(link);
      ok = true;
    } catch {
      ok = false;
    }
    this.copied = { link, ok };
  }

  // ---- live tail ----

  private toggleTail(): void {
    if (this.tail.on) {
      this.tail.switchOff();
      if (this.view === 'tail') this.view = 'results';
    } else {
      this.tail.start();
      this.view = 'tail';
    }
  }

  // ---- error groups ----

  async loadGroups(): Promise<void> {
    this.groupsLoading = true;
    try {
      const reply = await fetchGroups(this.query);
      this.groups = reply.groups;
      this.groupsError = '';
      this.groupsNote = reply.pendingBytes > 0 ? `Still reading ${formatBytes(reply.pendingBytes)} of logs: counts may grow.` : '';
    } catch (err) {
      this.groupsError = `Error groups could not be loaded — ${errorText(err, 'request failed')}`;
    } finally {
      this.groupsLoading = false;
    }
  }

  private onGroupToggle = async (e: CustomEvent<{ fingerprint: string }>) => {
    const fp = e.detail.fingerprint;
    this.expanded = fp;
    this.occurrences = null;
    if (!fp) return;
    try {
      const reply = await fetchGroup(fp);
      if (this.expanded !== fp) return;
      const occ = (reply as { occurrences?: Occurrence[] }).occurrences;
      this.occurrences = Array.isArray(occ) ? occ : [];
    } catch {
      if (this.expanded === fp) this.occurrences = [];
    }
  };

  // ---- keyboard ----

  private onWindowKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
    const origin = e.composedPath()[0] as HTMLElement | undefined;
    // Keys already handled inside the list, or meant for a button/link or an open dialog, are left alone.
    if (e.composedPath().some((n) => n instanceof HTMLElement && (n.tagName === 'LOG-LIST' || n.tagName === 'SL-DIALOG'))) return;
    if (!this.isConnected || this.getClientRects().length === 0) return;
    const list = this.activeList;
    if (!list) return;
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      list.focusList();
      void list.move(e.key === 'j' ? 1 : -1);
    } else if (e.key === 'o' || (e.key === 'Enter' && origin?.tagName !== 'BUTTON' && origin?.tagName !== 'A' && origin?.tagName !== 'SUMMARY')) {
      if (!list.active) return;
      e.preventDefault();
      list.openActive();
    }
  };

  // ---- render ----

  render() {
    const admin = this.userRole === 'admin';
    return html`<div class="top">
        <h1>Logs</h1>
        <span class="fresh">${this.sourcesAt ? `${this.sources.length} sources · checked ${formatClock(this.sourcesAt)}` : 'sources not loaded yet'}</span>
        <div class="actions">
          ${admin ? html`<button class="btn cleanup" type="button" @click=${() => { this.cleanupOpen = true; }}>
            <oc-icon .icon=${Trash2}></oc-icon>Clean up old files</button>` : nothing}
        </div>
      </div>
      <div class="layout ${this.sourcesSettled ? '' : 'pending'}">
        <div class="main">
          ${this.pm2Down ? html`<div class="banner pm2-down" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon>
            <span><strong>PM2 is down</strong> — its process logs (out and err) are missing from sources and results until it answers again.
            ${this.pm2Down}</span></div>` : nothing}
          ${!this.pm2Down && this.sourcesNote ? html`<div class="banner bad" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon><span>${this.sourcesNote}</span></div>` : nothing}
          <log-search-bar .query=${this.query} .sources=${this.sources} sourcesNote=${this.sourcesNote} ?searching=${this.searchPhase === 'searching'}
            fieldError=${this.fieldError} tailError=${this.tail.error}
            @log-search=${(e: CustomEvent<LogQuery>) => this.search(e.detail)} @log-cancel=${() => this.cancelSearch()}></log-search-bar>
          <div class="tabs" role="toolbar" aria-label="Results or live tail">
            <button type="button" class="btn view-results" aria-pressed=${String(this.view === 'results')} @click=${() => { this.view = 'results'; }}>
              Search results${this.searchPhase === 'done' || this.hitCount ? ` (${this.hitCount}${this.last?.nextCursor ? '+' : ''})` : ''}</button>
            <button type="button" class="btn live" aria-pressed=${String(this.tail.on)} @click=${() => this.toggleTail()}>
              <oc-icon .icon=${Radio}></oc-icon>${this.tail.on ? 'Live tail on' : 'Live tail'}</button>
            ${this.tail.on ? html`
              ${this.view !== 'tail' ? html`<button type="button" class="btn view-tail" @click=${() => { this.view = 'tail'; }}>Show tail (${this.tail.count})</button>` : nothing}
              <button type="button" class="btn pause ${this.tail.paused ? 'paused' : ''}" aria-pressed=${String(this.tail.paused)}
                @click=${() => this.tail.togglePause()}><oc-icon .icon=${this.tail.paused ? Play : Pause}></oc-icon>${this.tail.paused ? 'Resume' : 'Pause'}</button>` : nothing}
          </div>
          <div class="status" role="status" aria-live="polite">${this.view === 'tail' ? this.tail.renderStatus(this.connection, this.fieldError) : this.renderSearchStatus()}</div>
          ${this.copied ? html`<div class="copied" role="status">${this.copied.ok ? html`<span class="ok">Link copied.</span> ` : html`Copy this link: `}
            <input readonly aria-label="Link to the entry" .value=${this.copied.link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()}></div>` : nothing}
          <div ?hidden=${this.view !== 'results'}>
            <log-list class="results" mode="search" emptyText=${this.emptyResultsText()} highlight=${this.query.q} ?highlightRegex=${this.query.regex}
              ?highlightCase=${this.query.caseSensitive} @log-open=${this.onOpen} @log-copy-link=${this.onCopy}></log-list>
            ${this.last?.nextCursor && this.searchPhase !== 'searching' ? html`<div class="more"><button type="button" class="btn load-more" @click=${() => this.loadMore()}>
              ${this.last.truncated ? 'Continue the search' : 'Load older hits'}</button></div>` : nothing}
          </div>
          <div ?hidden=${this.view !== 'tail'}>
            <log-list class="tail" mode="tail" ?paused=${this.tail.paused} emptyText=${this.tail.on ? 'Waiting for new lines that match…' : 'The live tail is off.'}
              highlight=${this.query.q} ?highlightRegex=${this.query.regex} ?highlightCase=${this.query.caseSensitive}
              @log-open=${this.onOpen} @log-copy-link=${this.onCopy} @log-resume=${() => this.tail.resume()}></log-list>
          </div>
        </div>
        <div class="aside">
          ${this.ctxHit ? html`<section class="card context-card" aria-label="Context">
            <log-context .data=${this.ctxData} .hit=${this.ctxHit} ?loading=${this.ctxLoading} error=${this.ctxError}
              @context-more=${this.onContextMore} @context-close=${() => this.closeContext()} @log-copy-link=${this.onCopy}></log-context>
          </section>` : nothing}
          <section class="card groups-card" aria-labelledby="groups-h">
            <header><h2 id="groups-h">Error groups</h2>
              <button type="button" class="btn refresh-groups" aria-busy=${String(this.groupsLoading)} @click=${() => this.loadGroups()}>
                <oc-icon .icon=${RefreshCw}></oc-icon>${this.groupsLoading ? 'Refreshing…' : 'Refresh'}</button></header>
            <error-groups .groups=${this.groups} ?loading=${this.groupsLoading} error=${this.groupsError} note=${this.groupsNote}
              expanded=${this.expanded} .occurrences=${this.occurrences} .now=${this.now}
              @group-toggle=${this.onGroupToggle} @log-open=${this.onOpen}
              @group-search=${(e: CustomEvent<{ q: string }>) => this.search({ ...this.query, q: e.detail.q, regex: false })}></error-groups>
          </section>
        </div>
      </div>
      ${admin ? html`<log-cleanup-dialog .open=${this.cleanupOpen} .perform=${postCleanup}
        @cleanup-done=${() => { void this.loadSources(); }} @cleanup-closed=${() => { this.cleanupOpen = false; }}></log-cleanup-dialog>` : nothing}`;
  }

  private emptyResultsText(): string {
    switch (this.searchPhase) {
      case 'searching': return 'Searching…';
      case 'cancelled': return 'Search cancelled — no results shown. Search again to see them.';
      case 'failed': return 'No results: the search failed.';
      case 'done': return this.last?.nextCursor ? 'No matches yet — the search stopped early; continue it below.' : 'No entries match.';
      default: return 'Search to see entries.';
    }
  }

  private renderSearchStatus() {
    const r = this.last;
    switch (this.searchPhase) {
      case 'searching': {
        const seconds = Math.max(0, Math.floor((this.now - this.searchStartedAt) / 1000));
        // The seconds tick inside a live region: shown, but kept from being read out every second.
        return html`<progress aria-label="Searching"></progress><span>Searching${this.loadingMore ? ' for older hits' : ''}…
          ${seconds >= 1 ? html`<span class="elapsed" aria-hidden="true">${seconds} s</span>` : ''}${this.hitCount ? ` · ${this.hitCount} hits so far` : ''} — Cancel stops it.</span>`;
      }
      case 'cancelled': return html`<span class="cancelled">Search cancelled${this.hitCount ? ` — showing the ${this.hitCount} hits found before` : ''}.</span>`;
      // A bad pattern is announced at the search field; here it is shown without being announced again.
      case 'failed': return this.searchError ? html`<span class="failed" role="alert">${this.searchError}</span>`
        : html`<span class="failed" aria-hidden="true">${this.fieldError}</span>`;
      case 'done': return r ? html`<span><strong>${this.hitCount}</strong> hit${this.hitCount === 1 ? '' : 's'}${r.nextCursor ? ' so far' : ''}
          · scanned ${formatBytes(r.scannedBytes)} in ${r.tookMs} ms</span>
          ${r.truncated ? html`<span class="partial">Partial results: the search's time budget ran out before the page was full — continue it to see more.</span>` : nothing}
          ${!r.nextCursor ? html`<span>All matching entries shown.</span>` : nothing}` : nothing;
      default: return nothing;
    }
  }

  private onOpen = (e: CustomEvent<LogOpenDetail>) => {
    void this.openContext(e.detail.hit, true);
  };

  private onCopy = (e: CustomEvent<LogOpenDetail>) => {
    void this.copyLink(e.detail.hit);
  };
}

declare global {
  interface HTMLElementTagNameMap { 'page-logs': PageLogs }
}
