// Follow/pause for a virtualised stream of log lines: the view stays on the newest line until the user scrolls
// up, then lines that arrive are counted ("N new lines") until the user jumps back or scrolls to the end.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Closer than this to the bottom counts as "at the newest line". */
const TAIL_SLACK_PX = 24;
/** Scroll events this soon after our own scrolling are not the user scrolling up. */
const PROGRAMMATIC_MS = 250;

export class TailFollowController implements ReactiveController {
  #following = true;
  #unseen = 0;
  #lastScrollTop = 0;
  #programmaticUntil = 0;
  readonly #host: ReactiveControllerHost;
  readonly #scroller: () => HTMLElement | null | undefined;
  readonly #active: () => boolean;

  /**
   * `scroller` is the element that scrolls; `active` says whether following applies right now (a list that is
   * sometimes a plain result list follows only in its tail mode).
   */
  constructor(host: ReactiveControllerHost, scroller: () => HTMLElement | null | undefined, active: () => boolean = () => true) {
    this.#host = host;
    this.#scroller = scroller;
    this.#active = active;
    host.addController(this);
  }

  /** False once the user scrolled up: new lines are counted instead of scrolled to. */
  get following(): boolean { return this.#following; }
  /** Lines that arrived while not following. */
  get unseen(): number { return this.#unseen; }

  hostConnected(): void {
    this.#lastScrollTop = this.#scroller()?.scrollTop ?? 0;
  }

  /** What the "back to the newest line" button says. */
  get jumpLabel(): string {
    return this.#unseen > 0 ? `${this.#unseen} new line${this.#unseen === 1 ? '' : 's'} — jump to latest` : 'Jump to latest';
  }

  /** Follows or stops following, without scrolling; either way the count of unseen lines starts over. */
  setFollowing(following: boolean): void {
    this.#unseen = 0;
    this.#following = following;
    this.#host.requestUpdate();
  }

  /** Counts `added` lines that arrived; they are "new" only while not following. */
  countArrived(added: number): void {
    if (this.#following || added <= 0) return;
    this.#unseen += added;
    this.#host.requestUpdate();
  }

  /** Back to the newest line, following again. */
  async jumpToLatest(): Promise<void> {
    this.setFollowing(true);
    await this.#host.updateComplete;
    this.scrollToEndSoon();
  }

  /** After this update's rows are laid out, goes to the end if still following. */
  scrollToEndSoon(): void {
    requestAnimationFrame(() => {
      const el = this.#scroller();
      if (el && this.#following && this.#active()) this.#scrollTo(el, el.scrollHeight);
    });
  }

  /** Goes to the start (e.g. a view that begins at its first entry) without that counting as the user's scroll. */
  scrollToStart(): void {
    const el = this.#scroller();
    if (el) this.#scrollTo(el, 0);
  }

  /** The virtualizer measures rows as it draws them: while following, go to the new end each time (next frame). */
  readonly onLayout = (): void => {
    if (!this.#active() || !this.#following) return;
    requestAnimationFrame(() => {
      const el = this.#scroller();
      if (this.#following && el && el.scrollHeight - el.scrollTop - el.clientHeight > 1) this.#scrollTo(el, el.scrollHeight);
    });
  };

  readonly onScroll = (): void => {
    const el = this.#scroller();
    if (!el || !this.#active()) return;
    const top = el.scrollTop;
    const atEnd = el.scrollHeight - top - el.clientHeight <= TAIL_SLACK_PX;
    if (atEnd) {
      if (!this.#following) this.setFollowing(true);
    } else if (top < this.#lastScrollTop - 2 && performance.now() > this.#programmaticUntil && this.#following) {
      this.setFollowing(false);
    }
    this.#lastScrollTop = top;
  };

  #scrollTo(el: HTMLElement, top: number): void {
    this.#programmaticUntil = performance.now() + PROGRAMMATIC_MS;
    el.scrollTop = top;
  }
}
