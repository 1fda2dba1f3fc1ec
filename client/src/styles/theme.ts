// Design tokens shared by every element: state colours readable in dark and light, spacing, type.
// The document sets `data-theme="light|dark"` on <html> (from the OS or the user's override).
import { css } from 'lit';

export const tokens = css`
  :host {
    --oc-gap: 0.75rem;
    --oc-radius: 10px;
    --oc-tap: 44px;
    --oc-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --oc-mono: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-family: var(--oc-font);
    color: var(--oc-fg);
  }
`;

/** Global custom properties (put in index.html's stylesheet too): see client/styles.css. */
export const focusRing = css`
  :focus-visible { outline: 3px solid var(--oc-focus); outline-offset: 2px; }
`;
