// Today's pipeline as a strip: generation → compliance → approval → distribution → engagement, each with its
// state (icon + word), its counts, and "late" flagged with the window it missed. A stage without data says
// "no data" — never 0.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ArrowRight } from 'lucide';
import { tokens } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import { humanizeKey, STAGE_ORDER, type OperationsToday, type StageName, type StageView } from '../pages/agents-data.js';
import './state-badge.js';
import './oc-icon.js';

const STAGE_LABEL: Record<StageName, string> = {
  generation: 'Generation', compliance: 'Compliance', approval: 'Approval', distribution: 'Distribution', engagement: 'Engagement',
};

/** The five stages in order; one the gateway did not send is "no data". */
export function stagesInOrder(data: OperationsToday | null): StageView[] {
  return STAGE_ORDER.map((stage) => data?.stages.find((s) => s.stage === stage)
    ?? { stage, state: 'no_data', counts: null, window: null, detail: '' });
}

function hasCounts(s: StageView): boolean {
  return s.state !== 'no_data' && s.counts !== null && Object.keys(s.counts).length > 0;
}

@customElement('pipeline-strip')
export class PipelineStrip extends LitElement {
  static styles = [tokens, css`
    :host { display: block; min-width: 0; }
    ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; grid-template-columns: minmax(0, 1fr); }
    @media (min-width: 1024px) { :host([wide]) ol { grid-template-columns: repeat(5, minmax(0, 1fr)); } }
    li { position: relative; border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.55rem 0.65rem;
      display: grid; gap: 0.3rem; background: var(--oc-surface); min-width: 0; }
    li.late { border: 2px solid var(--oc-warn); background: var(--oc-warn-bg); }
    li.failed { border: 2px solid var(--oc-bad); background: var(--oc-bad-bg); }
    li.no_data { border-style: dashed; }
    .head { display: flex; align-items: center; justify-content: space-between; gap: 0.4rem; flex-wrap: wrap; }
    .name { font-weight: 600; display: inline-flex; align-items: center; gap: 0.3rem; }
    .step { color: var(--oc-fg-muted); font-size: 0.75rem; font-variant-numeric: tabular-nums; }
    .arrow { color: var(--oc-fg-muted); --oc-icon-size: 0.9em; }
    .counts { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; margin: 0; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
    .counts span { color: var(--oc-fg-muted); } .counts b { color: var(--oc-fg); }
    .nodata { color: var(--oc-fg-muted); font-size: 0.85rem; font-style: italic; }
    .late-note { color: var(--oc-warn); font-weight: 700; font-size: 0.85rem; }
    .detail, .window { color: var(--oc-fg-muted); font-size: 0.8rem; overflow-wrap: anywhere; }
    .error { color: var(--oc-bad); margin: 0 0 0.4rem; font-size: 0.85rem; }
    :host([stale]) ol { opacity: 0.65; filter: grayscale(0.6); }
  `];

  @property({ attribute: false }) data: OperationsToday | null = null;
  /** Why the day's status could not be loaded. */
  @property() error = '';
  @property({ type: Boolean, reflect: true }) stale = false;
  /** Five columns on a wide screen (the home page's side column keeps one). */
  @property({ type: Boolean, reflect: true }) wide = false;

  render() {
    const stages = stagesInOrder(this.data);
    return html`${this.error ? html`<p class="error" role="alert">Today's pipeline could not be loaded — ${this.error}</p>` : nothing}
      <ol aria-label="Today's pipeline${this.data ? `, ${this.data.date}` : ''}">${stages.map((s, i) => this.renderStage(s, i))}</ol>`;
  }

  private renderStage(s: StageView, i: number) {
    const late = s.state === 'late';
    return html`<li class=${s.state} data-stage=${s.stage}>
      <div class="head"><span class="name">${i > 0 ? html`<oc-icon class="arrow" .icon=${ArrowRight}></oc-icon>` : nothing}
        <span class="step">${i + 1}.</span>${STAGE_LABEL[s.stage]}</span><state-badge state=${s.state}></state-badge></div>
      ${late ? html`<span class="late-note">Late${s.window ? ` — window ${formatClock(s.window.startsAt).slice(0, 5)}–${formatClock(s.window.endsAt).slice(0, 5)} passed` : ''}</span>` : nothing}
      ${hasCounts(s)
        ? html`<p class="counts">${Object.entries(s.counts!).map(([k, v]) => html`<span><b>${v}</b> ${humanizeKey(k)}</span> `)}</p>`
        : html`<span class="nodata" title="Nothing has reported for this stage today">no data</span>`}
      ${s.window && !late ? html`<span class="window">window ${formatClock(s.window.startsAt).slice(0, 5)}–${formatClock(s.window.endsAt).slice(0, 5)}</span>` : nothing}
      ${s.detail ? html`<span class="detail">${s.detail}</span>` : nothing}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'pipeline-strip': PipelineStrip }
}
