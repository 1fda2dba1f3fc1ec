// Renders a lucide icon node (tree-shaken: import only the icons used) as inline SVG.
// Decorative unless `label` is set, in which case it is exposed as an image with that name.
import { LitElement, css, svg, html, nothing, type SVGTemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';

function renderNode([tag, attrs]: IconNode[number]): SVGTemplateResult {
  // lucide nodes are flat (tag, attrs) pairs; only the shapes lucide uses are needed here.
  const a = attrs as Record<string, string | number | undefined>;
  switch (tag) {
    case 'path': return svg`<path d=${a.d ?? ''}></path>`;
    case 'circle': return svg`<circle cx=${a.cx ?? 0} cy=${a.cy ?? 0} r=${a.r ?? 0}></circle>`;
    case 'line': return svg`<line x1=${a.x1 ?? 0} y1=${a.y1 ?? 0} x2=${a.x2 ?? 0} y2=${a.y2 ?? 0}></line>`;
    case 'rect': return svg`<rect x=${a.x ?? 0} y=${a.y ?? 0} width=${a.width ?? 0} height=${a.height ?? 0} rx=${a.rx ?? 0} ry=${a.ry ?? a.rx ?? 0}></rect>`;
    case 'polyline': return svg`<polyline points=${a.points ?? ''}></polyline>`;
    case 'polygon': return svg`<polygon points=${a.points ?? ''}></polygon>`;
    case 'ellipse': return svg`<ellipse cx=${a.cx ?? 0} cy=${a.cy ?? 0} rx=${a.rx ?? 0} ry=${a.ry ?? 0}></ellipse>`;
    default: return svg``;
  }
}

@customElement('oc-icon')
export class OcIcon extends LitElement {
  static styles = css`
    :host { display: inline-flex; width: var(--oc-icon-size, 1.25em); height: var(--oc-icon-size, 1.25em); flex: none; }
    svg { width: 100%; height: 100%; }
  `;

  @property({ attribute: false }) icon?: IconNode;
  @property() label = '';

  render() {
    if (!this.icon) return nothing;
    const labelled = this.label !== '';
    return html`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
      stroke-linejoin="round" role=${labelled ? 'img' : 'presentation'} aria-label=${labelled ? this.label : nothing}
      aria-hidden=${labelled ? 'false' : 'true'}>${this.icon.map(renderNode)}</svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'oc-icon': OcIcon }
}
