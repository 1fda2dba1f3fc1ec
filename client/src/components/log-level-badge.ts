// A log entry's level as a word + icon + colour (never colour alone): fatal/error/warn/info/debug/trace, or
// "—" with "level unknown" for an entry whose level could not be read.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';
import { Bug, CircleQuestionMark, CircleX, Footprints, Info, OctagonX, TriangleAlert } from 'lucide';
import { tokens } from '../styles/theme.js';
import './oc-icon.js';

interface LevelLook { word: string; icon: IconNode; tone: 'bad' | 'warn' | 'info' | 'muted' }

const LOOKS: Record<string, LevelLook> = {
  fatal: { word: 'fatal', icon: OctagonX, tone: 'bad' },
  error: { word: 'error', icon: CircleX, tone: 'bad' },
  warn: { word: 'warn', icon: TriangleAlert, tone: 'warn' },
  info: { word: 'info', icon: Info, tone: 'info' },
  debug: { word: 'debug', icon: Bug, tone: 'muted' },
  trace: { word: 'trace', icon: Footprints, tone: 'muted' },
};
const UNKNOWN: LevelLook = { word: '—', icon: CircleQuestionMark, tone: 'muted' };

export function levelLook(level: string | null | undefined): LevelLook {
  return (level && LOOKS[level]) || UNKNOWN;
}

@customElement('log-level-badge')
export class LogLevelBadge extends LitElement {
  static styles = [tokens, css`
    :host { display: inline-flex; vertical-align: baseline; }
    .b { display: inline-flex; align-items: center; gap: 0.25em; font: 700 0.72rem/1.4 var(--oc-font); text-transform: uppercase;
      letter-spacing: 0.02em; padding: 0 0.35em; border-radius: 4px; border: 1px solid transparent; white-space: nowrap; --oc-icon-size: 1.05em; }
    .bad { color: var(--oc-bad); background: var(--oc-bad-bg); border-color: currentColor; }
    .warn { color: var(--oc-warn); background: var(--oc-warn-bg); }
    .info { color: var(--oc-accent); }
    .muted { color: var(--oc-fg-muted); font-weight: 600; }
  `];

  /** trace | debug | info | warn | error | fatal; anything else (or empty) is drawn as unknown. */
  @property({ reflect: true }) level: string | null = null;

  render() {
    const look = levelLook(this.level);
    const known = look !== UNKNOWN;
    return html`<span class="b ${look.tone}" title=${known ? `level ${look.word}` : 'level unknown'}>
      <oc-icon .icon=${look.icon}></oc-icon><span class="word" aria-label=${known ? look.word : 'level unknown'}>${look.word}</span></span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'log-level-badge': LogLevelBadge }
}
