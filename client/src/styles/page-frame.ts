// The frame every section page shares: a centred column (1440px wide unless the page narrows it), the title
// row (`.top`) with its headings, and the freshness line ("updated 14:02:11") that turns into "stale since …".
import { css } from 'lit';

export const pageFrame = css`
  :host { display: block; padding: var(--oc-gap); box-sizing: border-box; max-width: 1440px; margin: 0 auto; min-width: 0; }
  .top { display: flex; align-items: center; gap: 0.5rem 0.75rem; flex-wrap: wrap; margin-bottom: var(--oc-gap); }
  h1 { font-size: 1.35rem; margin: 0; }
  h2 { font-size: 1.05rem; margin: 0; }
  .fresh { font-size: 0.8rem; color: var(--oc-fg-muted); }
  .fresh.stale { color: var(--oc-stale); font-weight: 600; }
`;
