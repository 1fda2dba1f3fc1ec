// Day / week / month as one segmented control (Shoelace radio buttons: arrow keys move, one tab stop).
// Fires `range-change` with {range}.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import '@shoelace-style/shoelace/dist/components/radio-group/radio-group.js';
import '@shoelace-style/shoelace/dist/components/radio-button/radio-button.js';
import type SlRadioGroup from '@shoelace-style/shoelace/dist/components/radio-group/radio-group.js';
import { tokens } from '../styles/theme.js';
import { RANGES, RANGE_WORDS, type AnalyticsRange } from '../pages/webhook-data.js';

export interface RangeChangeDetail { range: AnalyticsRange }

@customElement('range-picker')
export class RangePicker extends LitElement {
  static styles = [tokens, css`
    :host { display: inline-block; }
    sl-radio-button::part(button) { min-height: var(--oc-tap); }
  `];

  @property({ reflect: true }) range: AnalyticsRange = 'day';
  @property() label = 'Period';

  render() {
    return html`<sl-radio-group size="medium" label=${this.label} name="range" value=${this.range} @sl-change=${this.onChange}>
      ${RANGES.map((r) => html`<sl-radio-button value=${r} data-range=${r}>${RANGE_WORDS[r]}</sl-radio-button>`)}
    </sl-radio-group>`;
  }

  private onChange = (e: Event) => {
    const value = (e.target as SlRadioGroup).value as AnalyticsRange;
    if (!RANGES.includes(value) || value === this.range) return;
    this.range = value;
    this.dispatchEvent(new CustomEvent<RangeChangeDetail>('range-change', { detail: { range: value }, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap { 'range-picker': RangePicker }
}
