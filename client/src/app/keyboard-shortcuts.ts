// Global keyboard shortcuts (`?`, `g h|a|l|s`, `/`, Esc), ignored while the user types in a field.

export interface ShortcutActions {
  help(): void;
  go(path: string): void;
  focusSearch(): boolean;
  escape(): void;
}

const GO_TARGETS: Record<string, string> = { h: '/', a: '/agents', l: '/logs', s: '/settings' };
const SEQUENCE_TIMEOUT_MS = 1500;

/** True when the key went to a field that takes text (where a letter is typed, not a shortcut). */
export function isTyping(event: KeyboardEvent): boolean {
  // composedPath()[0] is the real target inside shadow roots (event.target is retargeted to the host).
  const origin = event.composedPath()[0];
  if (!(origin instanceof HTMLElement)) return false;
  if (origin.isContentEditable) return true;
  const tag = origin.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (origin as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return false;
}

/** Listens on `target` (window); returns the function that removes the listener. */
export function installShortcuts(target: Window, actions: ShortcutActions, now: () => number = Date.now): () => void {
  let pendingGoAt: number | null = null;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      pendingGoAt = null;
      actions.escape();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return;
    const key = event.key;
    if (pendingGoAt !== null && now() - pendingGoAt <= SEQUENCE_TIMEOUT_MS) {
      pendingGoAt = null;
      const path = GO_TARGETS[key.toLowerCase()];
      if (path) {
        event.preventDefault();
        actions.go(path);
      }
      return;
    }
    pendingGoAt = null;
    if (key === '?') {
      event.preventDefault();
      actions.help();
    } else if (key === 'g' || key === 'G') {
      pendingGoAt = now();
    } else if (key === '/') {
      if (actions.focusSearch()) event.preventDefault();
    }
  };

  target.addEventListener('keydown', onKeyDown);
  return () => target.removeEventListener('keydown', onKeyDown);
}

/** Focuses the search field of a page element, if it has one: its own focusSearch() or a marked field. */
export function focusPageSearch(page: Element | null | undefined): boolean {
  if (!page) return false;
  const custom = (page as Element & { focusSearch?: () => boolean | void }).focusSearch;
  if (typeof custom === 'function') return custom.call(page) !== false;
  const root = page.shadowRoot ?? page;
  const field = root.querySelector<HTMLElement>('[data-shortcut="search"], input[type="search"], sl-input[type="search"]');
  if (!field) return false;
  field.focus();
  return true;
}
