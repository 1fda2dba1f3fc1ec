// Layout of the Logs page: search and lists beside the context and error groups from 1024 px (the aside sticky),
// the results/tail toolbar with its pressed and paused looks, banners, and the status line's wording colours.
import { css } from 'lit';

export const logsPageStyles = css`
  .top .actions { margin-left: auto; display: flex; gap: 0.5rem; flex-wrap: wrap; }
  .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.85rem; border-radius: 8px;
    border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.9rem; cursor: pointer; }
  .btn[aria-pressed='true'] { border-color: var(--oc-accent); box-shadow: inset 0 -3px 0 var(--oc-accent); font-weight: 600; }
  .btn.live[aria-pressed='true'] { color: var(--oc-ok); border-color: var(--oc-ok); box-shadow: inset 0 -3px 0 var(--oc-ok); }
  .btn.paused { color: var(--oc-warn); border-color: var(--oc-warn); font-weight: 600; }
  .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
  .pending { visibility: hidden; }
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
`;
