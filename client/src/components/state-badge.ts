// A state shown as icon + word + colour (never colour alone), for services and PM2 process statuses.
// Each state has its own icon shape so it stays distinguishable in greyscale and for colour-blind eyes.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';
import {
  CircleCheck, CircleX, TriangleAlert, Clock, CircleQuestionMark, CircleMinus, SquareStop, LoaderCircle, CircleDashed,
  Circle, Hourglass, Ban, OctagonX, AlarmClock,
} from 'lucide';
import { tokens } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import './oc-icon.js';

/** The colour family a state is drawn in; `calm` is the quiet grey of "not configured". */
export type StateTone = 'ok' | 'warn' | 'bad' | 'stale' | 'unknown' | 'calm' | 'busy';

interface StateLook { word: string; icon: IconNode; tone: StateTone; severity: number }

// severity: 0 = worst; used by lists to sort worst first.
const LOOKS: Record<string, StateLook> = {
  down: { word: 'down', icon: CircleX, tone: 'bad', severity: 0 },
  errored: { word: 'errored', icon: CircleX, tone: 'bad', severity: 0 },
  stopped: { word: 'stopped', icon: SquareStop, tone: 'bad', severity: 1 },
  degraded: { word: 'degraded', icon: TriangleAlert, tone: 'warn', severity: 2 },
  stopping: { word: 'stopping', icon: LoaderCircle, tone: 'warn', severity: 2 },
  launching: { word: 'launching', icon: LoaderCircle, tone: 'warn', severity: 3 },
  'one-launch-status': { word: 'launched once', icon: CircleDashed, tone: 'unknown', severity: 3 },
  stale: { word: 'stale', icon: Clock, tone: 'stale', severity: 4 },
  unknown: { word: 'unknown', icon: CircleQuestionMark, tone: 'unknown', severity: 4 },
  up: { word: 'up', icon: CircleCheck, tone: 'ok', severity: 5 },
  online: { word: 'online', icon: CircleCheck, tone: 'ok', severity: 5 },
  not_configured: { word: 'not configured', icon: CircleMinus, tone: 'calm', severity: 6 },
  // Agent runs: run states and an agent with no run.
  error: { word: 'error', icon: CircleX, tone: 'bad', severity: 0 },
  crashed: { word: 'crashed', icon: OctagonX, tone: 'bad', severity: 0 },
  processing: { word: 'processing', icon: LoaderCircle, tone: 'busy', severity: 3 },
  queued: { word: 'queued', icon: Hourglass, tone: 'busy', severity: 3 },
  completed: { word: 'completed', icon: CircleCheck, tone: 'ok', severity: 5 },
  cancelled: { word: 'cancelled', icon: Ban, tone: 'calm', severity: 5 },
  idle: { word: 'idle', icon: Circle, tone: 'calm', severity: 6 },
  // Daily pipeline stages.
  failed: { word: 'failed', icon: CircleX, tone: 'bad', severity: 0 },
  late: { word: 'late', icon: AlarmClock, tone: 'warn', severity: 1 },
  running: { word: 'running', icon: LoaderCircle, tone: 'busy', severity: 3 },
  pending: { word: 'pending', icon: Hourglass, tone: 'calm', severity: 5 },
  done: { word: 'done', icon: CircleCheck, tone: 'ok', severity: 5 },
  no_data: { word: 'no data', icon: CircleMinus, tone: 'calm', severity: 6 },
};

/** How a state looks; an unrecognised state is shown as itself in the "unknown" style. */
export function stateLook(state: string): StateLook {
  return LOOKS[state] ?? { word: state.replace(/_/g, ' ') || 'unknown', icon: CircleQuestionMark, tone: 'unknown', severity: 4 };
}

/** 0 = worst; for sorting lists worst first. */
export function stateSeverity(state: string): number {
  return stateLook(state).severity;
}

@customElement('state-badge')
export class StateBadge extends LitElement {
  static styles = [tokens, css`
    :host { display: inline-flex; vertical-align: middle; }
    .badge {
      display: inline-flex; align-items: center; gap: 0.35em; padding: 0.15em 0.6em 0.15em 0.45em;
      border-radius: 999px; border: 1px solid currentColor; font-size: 0.875rem; line-height: 1.4;
      font-weight: 600; white-space: nowrap;
      --oc-icon-size: 1.05em;
    }
    .ok { color: var(--oc-ok); background: var(--oc-ok-bg); }
    .warn { color: var(--oc-warn); background: var(--oc-warn-bg); }
    .bad { color: var(--oc-bad); background: var(--oc-bad-bg); }
    .stale { color: var(--oc-stale); background: var(--oc-stale-bg); border-style: dashed; }
    .unknown { color: var(--oc-unknown); background: var(--oc-unknown-bg); border-style: dashed; }
    .calm { color: var(--oc-fg-muted); background: transparent; border-color: var(--oc-border); font-weight: 500; }
    .busy { color: var(--oc-accent); background: transparent; }
    /* Full colour: any transparency takes the small text below 4.5:1 on the tinted backgrounds. */
    .since { font-weight: 400; }
  `];

  /** A service state (up/degraded/down/stale/unknown/not_configured) or a PM2 process status. */
  @property({ reflect: true }) state = 'unknown';
  /** ISO time (or ms epoch) the state began; shown as "since HH:MM". */
  @property({ attribute: false }) since: string | number | null = null;

  render() {
    const look = stateLook(this.state);
    const since = this.since !== null && this.since !== '' ? formatClock(this.since) : null;
    return html`<span class="badge ${look.tone}" part="badge" title=${since ? `${look.word} since ${since}` : look.word}>
      <oc-icon .icon=${look.icon}></oc-icon><span class="word">${look.word}</span>${since
        ? html`<span class="since">since ${since}</span>` : nothing}
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'state-badge': StateBadge }
}
