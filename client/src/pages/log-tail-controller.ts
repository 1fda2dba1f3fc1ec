// The Logs page's live tail: follows topic `logs` with a tail filter built from the page's query, appends the lines
// to the tail list, holds them while paused, counts the lines the hub skipped, and stops when the hub refuses the
// filter's pattern; its status line says which of these is the case.
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { ConnectionState, HubError, LiveFrame, LiveStore } from '../live/live-store.js';
import { formatClock } from '../app/time-format.js';
import { tailFilter, type LogHit, type LogQuery } from './page-logs-data.js';
import type { LogList } from '../components/log-list.js';

/** What the hub says it follows for the filter: its sources and since when; null when it started no tail. */
export type TailInfo = { sources: string[]; from: string } | null;
interface TailSnapshot { tail?: TailInfo }
interface TailFrame { lines?: LogHit[]; dropped?: number }

/** A page that takes the live store as a property (consumed from context, or handed in by tests). */
export type LogTailHost = ReactiveControllerHost & { live: LiveStore };

export interface LogTailOptions {
  /** The query the tail follows: the page's current one. */
  query: () => LogQuery;
  /** The list the tail's lines go to (it holds them while paused). */
  list: () => LogList | undefined;
}

export class LogTailController implements ReactiveController {
  readonly #host: LogTailHost;
  readonly #options: LogTailOptions;
  #on = false;
  #paused = false;
  #info: TailInfo | undefined = undefined;
  #dropped = 0;
  #count = 0;
  #held = 0;
  #error = '';
  #unsubscribe: (() => void) | null = null;
  #stopRefusals: (() => void) | null = null;

  constructor(host: LogTailHost, options: LogTailOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** On from start() until stop(); a refused tail stays on, waiting for another pattern. */
  get on(): boolean { return this.#on; }
  get paused(): boolean { return this.#paused; }
  /** Undefined until the hub's snapshot says what it follows. */
  get info(): TailInfo | undefined { return this.#info; }
  /** Lines the hub skipped since the tail started. */
  get dropped(): number { return this.#dropped; }
  /** Lines in the tail list. */
  get count(): number { return this.#count; }
  /** Lines held while paused. */
  get held(): number { return this.#held; }
  /** Why the hub refused the tail's filter (its pattern); the tail stays stopped until the query changes. */
  get error(): string { return this.#error; }

  hostConnected(): void {
    // Listens on the store the page has once connected (a consumed one is in place by then).
    const { live } = this.#host;
    const listener = (e: Event) => this.#onHubError((e as CustomEvent<HubError>).detail);
    live.addEventListener('hub-error', listener);
    this.#stopRefusals = () => live.removeEventListener('hub-error', listener);
  }

  hostDisconnected(): void {
    this.#stopRefusals?.();
    this.#stopRefusals = null;
    this.stop();
  }

  /** Starts (or restarts, after the filter changed) the live tail with the current query. */
  start(): void {
    this.stop();
    this.#on = true;
    this.#info = undefined;
    this.#dropped = 0;
    this.#options.list()?.clear();
    this.#count = 0;
    this.#held = 0;
    this.#unsubscribe = this.#host.live.subscribe('logs', (f) => this.#onFrame(f), { filter: { tail: tailFilter(this.#options.query()) } });
    this.#host.requestUpdate();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#on = false;
    this.#error = '';
    this.#host.requestUpdate();
  }

  /** Turns the tail off and lets go of the pause, so it starts unpaused next time. */
  switchOff(): void {
    this.stop();
    this.#paused = false;
  }

  /** New lines are held (and counted) instead of shown. */
  pause(): void {
    this.#paused = true;
    this.#host.requestUpdate();
  }

  /** The held lines are shown (the list appends them once it is no longer paused), and counted once it has. */
  resume(): void {
    this.#paused = false;
    this.#held = 0;
    this.#host.requestUpdate();
    void this.#countShown();
  }

  /** Once the page has drawn the list unpaused and the list has appended what it held: the count of its lines. */
  async #countShown(): Promise<void> {
    await this.#host.updateComplete;
    const list = this.#options.list();
    if (!list) return;
    await list.updateComplete;
    if (this.#paused) return;
    this.#count = list.lines.length;
    this.#held = list.pending;
    this.#host.requestUpdate();
  }

  togglePause(): void {
    if (this.#paused) this.resume();
    else this.pause();
  }

  /**
   * The hub refuses a tail filter whose regex it cannot run (and keeps the filter it had): stop listening, so the
   * hub drops that old filter too, and say why next to the field. Only a tail with a regex can be refused so; the
   * error frame names no request, so it is taken as the answer to the latest one.
   */
  #onHubError(error: HubError): void {
    if (error.code !== 'invalid_regex' || !this.#unsubscribe || !this.#options.query().regex) return;
    this.#unsubscribe();
    this.#unsubscribe = null;
    this.#error = `The live tail refused this pattern: ${error.message}`;
    this.#host.requestUpdate();
  }

  #onFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const data = frame.data as TailSnapshot | null;
      this.#info = data && 'tail' in data ? data.tail ?? null : null;
      this.#host.requestUpdate();
      return;
    }
    if (frame.type !== 'log.lines') return;
    const data = frame.data as TailFrame;
    const list = this.#options.list();
    if (Array.isArray(data.lines)) list?.addLines(data.lines);
    if (typeof data.dropped === 'number' && data.dropped > 0) this.#dropped += data.dropped;
    this.#count = list?.lines.length ?? this.#count;
    this.#held = list?.pending ?? 0;
    this.#host.requestUpdate();
  }

  /**
   * The tail's status line, given the connection and the search field's error (a pattern the search refused
   * cannot start a tail either).
   */
  renderStatus(connection: ConnectionState, fieldError: string) {
    if (!this.#on) return html`<span class="tail-off">Live tail is off.</span>`;
    const parts = [];
    // A refused pattern (by the hub or the search) is already said once, as an alert at the search field: the status line
    // shows it without having it read out again.
    if (this.#error) {
      parts.push(html`<span class="failed refused" aria-hidden="true">Live tail stopped: it cannot run this pattern — change the pattern to start it again.</span>`);
    } else if (connection !== 'live') {
      parts.push(html`<span class="tail-off disconnected">Live tail disconnected (${connection}) — lines written meanwhile are not shown here; search to see them.</span>`);
    } else if (this.#info === undefined && fieldError) {
      parts.push(html`<span class="failed" aria-hidden="true">The live tail cannot start: ${fieldError}</span>`);
    } else if (this.#info === undefined) {
      parts.push(html`<span>Starting the live tail…</span>`);
    } else if (this.#info === null) {
      parts.push(html`<span class="tail-off">The gateway did not start a tail for this filter.</span>`);
    } else {
      parts.push(html`<span class="ok">Live</span> <span>— following ${this.#info.sources.length} source${this.#info.sources.length === 1 ? '' : 's'}
        since ${formatClock(this.#info.from)}</span>`);
    }
    if (this.#paused) parts.push(html`<span class="tail-off paused-note">Paused — ${this.#held} new line${this.#held === 1 ? '' : 's'} held.</span>`);
    if (this.#dropped > 0) parts.push(html`<span class="partial dropped">${this.#dropped} lines skipped — search to see them.</span>`);
    return parts;
  }
}
