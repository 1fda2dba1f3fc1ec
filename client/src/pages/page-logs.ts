// The Logs section: search every source (PM2 out/err, LOG_DIRS, the gateway's own log) by text or regex, level,
// source and time; open any hit with the entries around it and copy a link to it; follow new lines live (topic
// `logs` with a tail filter) with pause; and see errors grouped by fingerprint. The URL holds the query, so a
// search or a hit is a shareable link. Partial, cancelled, disconnected and missing-source states are said in words.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { CircleAlert, Pause, Play, Radio, RefreshCw, Trash2 } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { pageFrame } from '../styles/page-frame.js';
import { ApiClientError } from '../api/api-client.js';
import { liveStore, type ConnectionState, type HubError, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import { formatBytes, formatClock } from '../app/time-format.js';
import {
  CONTEXT_STEP, EMPTY_QUERY, MAX_CONTEXT, fetchContext, fetchGroup, fetchGroups, fetchSearch, fetchSources, hitLink, pageUrl,
  postCleanup, queryFromUrl, sameQuery, tailFilter,
  type ContextReply, type ErrorGroup, type HitRef, type LogHit, type LogQuery, type LogSource, type Occurrence, type SearchReply,
} from './page-logs-data.js';
import type { LogList, LogOpenDetail } from '../components/log-list.js';
import type { LogSearchBar } from '../components/log-search-bar.js';
import type { ContextMoreDetail } from '../components/log-context.js';
import '../components/oc-icon.js';
import '../components/log-search-bar.js';
import '../components/log-list.js';
import '../components/log-context.js';
import '../components/error-groups.js';
import '../components/log-cleanup-dialog.js';

type SearchPhase = 'idle' | 'searching' | 'done' | 'cancelled' | 'failed';
type View = 'results' | 'tail';
interface TailSnapshot { tail?: { sources: string[]; from: string } | null }
interface TailFrame { lines?: LogHit[]; dropped?: number }

function isTyping(e: KeyboardEvent): boolean {
  const origin = e.composedPath()[0];
  if (!(origin instanceof HTMLElement)) return false;
  if (origin.isContentEditable) return true;
  const tag = origin.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes((origin as HTMLInputElement).type);
}

const errorText = (err: unknown, fallback: string): string => (err instanceof Error && err.message ? err.message : fallback);

@customElement('page-logs')
export class PageLogs extends LitElement {
  static styles = [tokens, focusRing, pageFrame, css`
    .top .actions { margin-left: auto; display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.85rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.9rem; cursor: pointer; }
    .btn[aria-pressed='true'] { border-color: var(--oc-accent); box-shadow: inset 0 -3px 0 var(--oc-accent); font-weight: 600; }
    .btn.live[aria-pressed='true'] { color: var(--oc-ok); border-color: var(--oc-ok); box-shadow: inset 0 -3px 0 var(--oc-ok); }
    .btn.paused { color: var(--oc-warn); border-color: var(--oc-warn); font-weight: 600; }
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
    .main, .aside { display: grid; gap: 0.75rem; align-content: start; min-width: 0; }
    @media (min-width: 1024px) {
      .layout { grid-template-columns: minmax(0, 3fr) minmax(340px, 2fr); align-items: start; }
      .aside { position: sticky; top: var(--oc-gap); max-height: calc(100vh - 5rem); overflow: auto; }
    }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.8rem; min-width: 0; }
    .card > header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.6rem; }
    .banner { display: flex; gap: 0.5rem; align-items: flex-start; padding: 0.6rem 0.8rem; border-radius: var(--oc-radius); border: 1px solid var(--oc-warn);
      background: var(--oc-warn-bg); color: var(--oc-fg); }
    .banner oc-icon { color: var(--oc-warn); }
    .banner.bad { border-color: var(--oc-bad); background: var(--oc-bad-bg); } .banner.bad oc-icon { color: var(--oc-bad); }
    .tabs { display: flex; gap: 0.4rem; flex-wrap: wrap; align-items: center; }
    .status { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.6rem; font-size: 0.85rem; color: var(--oc-fg-muted); min-height: 1.5rem; }
    .status strong { color: var(--oc-fg); }
    .status .partial, .status .cancelled, .status .tail-off { color: var(--oc-warn); font-weight: 600; }
    .status .failed { color: var(--oc-bad); font-weight: 600; }
    .status .ok { color: var(--oc-ok); font-weight: 600; }
    progress { width: 8rem; height: 0.5rem; accent-color: var(--oc-accent); }
    .more { display: flex; justify-content: center; }
    .copied { font-size: 0.85rem; overflow-wrap: anywhere; }
    .copied input { width: 100%; font: 0.8rem var(--oc-mono); padding: 0.3rem; border: 1px solid var(--oc-border); border-radius: 6px;
      background: var(--oc-bg); color: var(--oc-fg); box-sizing: border-box; }
    log-list { --log-list-height: min(64vh, 44rem); }
    [hidden] { display: none !important; }
  `];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;
  /** Set by @vaadin/router. */
  @property({ attribute: false }) location?: { search?: string; pathname?: string };

  @state() query: LogQuery = EMPTY_QUERY;
  @state() view: View = 'results';
  @state() private sources: LogSource[] = [];
  @state() private sourcesNote = '';
  @state() private pm2Down = '';
  @state() private sourcesAt: string | null = null;
  @state() searchPhase: SearchPhase = 'idle';
  @state() private searchError = '';
  @state() private fieldError = '';
  @state() private last: SearchReply | null = null;
  @state() private hitCount = 0;
  @state() private loadingMore = false;
  @state() private searchStartedAt = 0;
  @state() tailOn = false;
  @state() tailPaused = false;
  @state() private tailInfo: TailSnapshot['tail'] | undefined = undefined;
  @state() private tailDropped = 0;
  @state() private tailCount = 0;
  @state() private tailHeld = 0;
  /** Why the hub refused the tail's filter (its pattern); the tail stays off until the query changes. */
  @state() private tailError = '';
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
  private unsubscribeTail: (() => void) | null = null;
  private readonly liveness = new PageLivenessController(this, { tickMs: 1_000, onHubError: (error) => this.onHubError(error) });

  connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onWindowKey);
    const { query: q, hit } = queryFromUrl(this.location?.search ?? window.location.search);
    this.query = q;
    void this.loadSources();
    void this.loadGroups();
    void this.search(q, { keepHit: true });
    if (hit) void this.openContext(hit);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onWindowKey);
    this.searchAbort?.abort();
    this.ctxAbort?.abort();
    this.stopTail();
  }

  /** The `/` shortcut: the search field. */
  focusSearch(): boolean {
    return this.searchBar?.focusSearch() ?? false;
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
    if (!this.tailOn) this.view = 'results';
    await this.updateComplete;
    this.resultsList?.setLines([]);
    if (this.tailOn && changed) this.startTail();
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

  /** Starts (or restarts, after the filter changed) the live tail with the current query. */
  startTail(): void {
    this.stopTail();
    this.tailOn = true;
    this.tailInfo = undefined;
    this.tailDropped = 0;
    this.tailList?.clear();
    this.tailCount = 0;
    this.unsubscribeTail = this.live.subscribe('logs', (f) => this.onLogsFrame(f), { filter: { tail: tailFilter(this.query) } });
  }

  stopTail(): void {
    this.unsubscribeTail?.();
    this.unsubscribeTail = null;
    this.tailOn = false;
    this.tailError = '';
  }

  /**
   * The hub refuses a tail filter whose regex it cannot run (and keeps the filter it had): stop listening, so the
   * hub drops that old filter too, and say why next to the field. Only a tail with a regex can be refused so; the
   * error frame names no request, so it is taken as the answer to the latest one.
   */
  private onHubError(error: HubError): void {
    if (error.code !== 'invalid_regex' || !this.unsubscribeTail || !this.query.regex) return;
    this.unsubscribeTail();
    this.unsubscribeTail = null;
    this.tailError = `The live tail refused this pattern: ${error.message}`;
  }

  private toggleTail(): void {
    if (this.tailOn) {
      this.stopTail();
      this.tailPaused = false;
      if (this.view === 'tail') this.view = 'results';
    } else {
      this.startTail();
      this.view = 'tail';
    }
  }

  private onLogsFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const data = frame.data as TailSnapshot | null;
      this.tailInfo = data && 'tail' in data ? data.tail ?? null : null;
      return;
    }
    if (frame.type !== 'log.lines') return;
    const data = frame.data as TailFrame;
    if (Array.isArray(data.lines)) this.tailList?.addLines(data.lines);
    if (typeof data.dropped === 'number' && data.dropped > 0) this.tailDropped += data.dropped;
    this.tailCount = this.tailList?.lines.length ?? this.tailCount;
    this.tailHeld = this.tailList?.pending ?? 0;
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
      <div class="layout">
        <div class="main">
          ${this.pm2Down ? html`<div class="banner pm2-down" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon>
            <span><strong>PM2 is down</strong> — its process logs (out and err) are missing from sources and results until it answers again.
            ${this.pm2Down}</span></div>` : nothing}
          ${!this.pm2Down && this.sourcesNote ? html`<div class="banner bad" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon><span>${this.sourcesNote}</span></div>` : nothing}
          <log-search-bar .query=${this.query} .sources=${this.sources} sourcesNote=${this.sourcesNote} ?searching=${this.searchPhase === 'searching'}
            fieldError=${this.fieldError} tailError=${this.tailError}
            @log-search=${(e: CustomEvent<LogQuery>) => this.search(e.detail)} @log-cancel=${() => this.cancelSearch()}></log-search-bar>
          <div class="tabs" role="toolbar" aria-label="Results or live tail">
            <button type="button" class="btn view-results" aria-pressed=${String(this.view === 'results')} @click=${() => { this.view = 'results'; }}>
              Search results${this.searchPhase === 'done' || this.hitCount ? ` (${this.hitCount}${this.last?.nextCursor ? '+' : ''})` : ''}</button>
            <button type="button" class="btn live" aria-pressed=${String(this.tailOn)} @click=${() => this.toggleTail()}>
              <oc-icon .icon=${Radio}></oc-icon>${this.tailOn ? 'Live tail on' : 'Live tail'}</button>
            ${this.tailOn ? html`
              ${this.view !== 'tail' ? html`<button type="button" class="btn view-tail" @click=${() => { this.view = 'tail'; }}>Show tail (${this.tailCount})</button>` : nothing}
              <button type="button" class="btn pause ${this.tailPaused ? 'paused' : ''}" aria-pressed=${String(this.tailPaused)}
                @click=${() => { this.tailPaused = !this.tailPaused; if (!this.tailPaused) this.tailHeld = 0; }}><oc-icon .icon=${this.tailPaused ? Play : Pause}></oc-icon>${this.tailPaused ? 'Resume' : 'Pause'}</button>` : nothing}
          </div>
          <div class="status" role="status" aria-live="polite">${this.view === 'tail' ? this.renderTailStatus() : this.renderSearchStatus()}</div>
          ${this.copied ? html`<div class="copied" role="status">${this.copied.ok ? html`<span class="ok">Link copied.</span> ` : html`Copy this link: `}
            <input readonly aria-label="Link to the entry" .value=${this.copied.link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()}></div>` : nothing}
          <div ?hidden=${this.view !== 'results'}>
            <log-list class="results" mode="search" emptyText=${this.emptyResultsText()} highlight=${this.query.q} ?highlightRegex=${this.query.regex}
              ?highlightCase=${this.query.caseSensitive} @log-open=${this.onOpen} @log-copy-link=${this.onCopy}></log-list>
            ${this.last?.nextCursor && this.searchPhase !== 'searching' ? html`<div class="more"><button type="button" class="btn load-more" @click=${() => this.loadMore()}>
              ${this.last.truncated ? 'Continue the search' : 'Load older hits'}</button></div>` : nothing}
          </div>
          <div ?hidden=${this.view !== 'tail'}>
            <log-list class="tail" mode="tail" ?paused=${this.tailPaused} emptyText=${this.tailOn ? 'Waiting for new lines that match…' : 'The live tail is off.'}
              highlight=${this.query.q} ?highlightRegex=${this.query.regex} ?highlightCase=${this.query.caseSensitive}
              @log-open=${this.onOpen} @log-copy-link=${this.onCopy} @log-resume=${() => { this.tailPaused = false; this.tailHeld = 0; }}></log-list>
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
        return html`<progress aria-label="Searching"></progress><span>Searching${this.loadingMore ? ' for older hits' : ''}…
          ${seconds >= 1 ? `${seconds} s` : ''}${this.hitCount ? ` · ${this.hitCount} hits so far` : ''} — Cancel stops it.</span>`;
      }
      case 'cancelled': return html`<span class="cancelled">Search cancelled${this.hitCount ? ` — showing the ${this.hitCount} hits found before` : ''}.</span>`;
      case 'failed': return html`<span class="failed" role="alert">${this.searchError || this.fieldError}</span>`;
      case 'done': return r ? html`<span><strong>${this.hitCount}</strong> hit${this.hitCount === 1 ? '' : 's'}${r.nextCursor ? ' so far' : ''}
          · scanned ${formatBytes(r.scannedBytes)} in ${r.tookMs} ms</span>
          ${r.truncated ? html`<span class="partial">Partial results: the search's time budget ran out before the page was full — continue it to see more.</span>` : nothing}
          ${!r.nextCursor ? html`<span>All matching entries shown.</span>` : nothing}` : nothing;
      default: return nothing;
    }
  }

  private renderTailStatus() {
    if (!this.tailOn) return html`<span class="tail-off">Live tail is off.</span>`;
    const parts = [];
    if (this.tailError) {
      parts.push(html`<span class="failed refused">Live tail stopped: it cannot run this pattern — change the pattern to start it again.</span>`);
    } else if (this.connection !== 'live') {
      parts.push(html`<span class="tail-off disconnected">Live tail disconnected (${this.connection}) — lines written meanwhile are not shown here; search to see them.</span>`);
    } else if (this.tailInfo === undefined && this.fieldError) {
      parts.push(html`<span class="failed">The live tail cannot start: ${this.fieldError}</span>`);
    } else if (this.tailInfo === undefined) {
      parts.push(html`<span>Starting the live tail…</span>`);
    } else if (this.tailInfo === null) {
      parts.push(html`<span class="tail-off">The gateway did not start a tail for this filter.</span>`);
    } else {
      parts.push(html`<span class="ok">Live</span> <span>— following ${this.tailInfo.sources.length} source${this.tailInfo.sources.length === 1 ? '' : 's'}
        since ${formatClock(this.tailInfo.from)}</span>`);
    }
    if (this.tailPaused) parts.push(html`<span class="tail-off paused-note">Paused — ${this.tailHeld} new line${this.tailHeld === 1 ? '' : 's'} held.</span>`);
    if (this.tailDropped > 0) parts.push(html`<span class="partial dropped">${this.tailDropped} lines skipped — search to see them.</span>`);
    return parts;
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
