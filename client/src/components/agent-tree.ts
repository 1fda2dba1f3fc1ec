// The agent hierarchy as a keyboard-navigable tree (role=tree): per agent its state (icon + word), the
// current run's progress with counts, its activity line and when it last ran. Selecting emits `agent-select`.
// The tree items are flat siblings carrying aria-level, aria-setsize and aria-posinset (the ARIA pattern for a
// tree drawn as rows): each item holds only its own row, so its name is the row's visible text — nested
// items would put every descendant's text into an ancestor's name.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ChevronDown, ChevronRight, FlaskConical } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatRelative } from '../app/time-format.js';
import { agentDisplayState, currentRunOf, isOpen, type AgentView } from '../pages/agents-data.js';
import './state-badge.js';
import './oc-icon.js';

export interface AgentSelectDetail { name: string }
interface TreeNode { agent: AgentView; depth: number; children: TreeNode[] }

/** Nodes from parent links; children in the order the parent's definition lists them, then the rest. */
export function buildTree(agents: readonly AgentView[]): TreeNode[] {
  const byName = new Map(agents.map((a) => [a.name, a]));
  const kids = new Map<string, AgentView[]>();
  const roots: AgentView[] = [];
  for (const a of agents) {
    if (a.parent && byName.has(a.parent) && a.parent !== a.name) {
      const list = kids.get(a.parent) ?? [];
      list.push(a);
      kids.set(a.parent, list);
    } else roots.push(a);
  }
  const seen = new Set<string>();
  const make = (agent: AgentView, depth: number): TreeNode => {
    seen.add(agent.name);
    const order = agent.children ?? [];
    const children = (kids.get(agent.name) ?? []).filter((c) => !seen.has(c.name))
      .sort((a, b) => rank(order, a.name) - rank(order, b.name));
    return { agent, depth, children: children.map((c) => make(c, depth + 1)) };
  };
  return roots.map((r) => make(r, 1));
}
function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}


@customElement('agent-tree')
export class AgentTree extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    ul { list-style: none; margin: 0; padding: 0; }
    li[role='treeitem'] { outline: none; }
    li[role='treeitem']:focus-visible > .row { outline: 3px solid var(--oc-focus); outline-offset: -3px; }
    .row { display: grid; grid-template-columns: var(--indent) 2rem minmax(0, 1fr); align-items: start; gap: 0.2rem 0.3rem;
      padding: 0.45rem 0.5rem 0.45rem 0; border-radius: 8px; cursor: pointer; min-height: var(--oc-tap); box-sizing: border-box; }
    .row:hover { background: var(--oc-surface-2); }
    li[aria-selected='true'] > .row { background: var(--oc-surface-2); box-shadow: inset 3px 0 0 var(--oc-accent); }
    .toggle { display: inline-flex; align-items: center; justify-content: center; width: 2rem; height: 2rem; border: 0; padding: 0;
      background: none; color: var(--oc-fg-muted); cursor: pointer; border-radius: 6px; }
    .main { min-width: 0; display: grid; gap: 0.25rem; }
    .head { display: flex; align-items: center; gap: 0.45rem; flex-wrap: wrap; }
    .name { font-weight: 600; overflow-wrap: anywhere; }
    .example { display: inline-flex; align-items: center; gap: 0.2rem; font-size: 0.75rem; color: var(--oc-fg-muted);
      border: 1px dashed var(--oc-border); border-radius: 999px; padding: 0 0.45rem; --oc-icon-size: 0.9em; }
    .progress { display: flex; align-items: center; gap: 0.5rem; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
    progress { flex: 1; min-width: 4rem; max-width: 14rem; height: 0.55rem; accent-color: var(--oc-accent); }
    .activity, .last { font-size: 0.8rem; color: var(--oc-fg-muted); overflow-wrap: anywhere; }
    .activity { color: var(--oc-fg); }
    .empty { color: var(--oc-fg-muted); margin: 0; padding: 0.6rem; }
    :host([stale]) .row { opacity: 0.65; }
  `];

  @property({ attribute: false }) agents: AgentView[] = [];
  /** The selected agent's name. */
  @property() selected = '';
  @property({ type: Boolean, reflect: true }) stale = false;
  /** Clock for "last run … ago" (the page ticks it). */
  @property({ attribute: false }) now = Date.now();

  @state() private collapsed = new Set<string>();
  @state() private focusName = '';

  render() {
    const roots = buildTree(this.agents);
    if (roots.length === 0) return html`<p class="empty">No agents defined yet.</p>`;
    const visible = this.visibleNames(roots);
    const focus = visible.includes(this.focusName) ? this.focusName : (visible.includes(this.selected) ? this.selected : visible[0]);
    return html`<ul role="tree" aria-label="Agents" @keydown=${this.onKeyDown}>
      ${this.visibleRows(roots).map(({ node, setSize, posInSet }) => this.renderNode(node, focus ?? '', setSize, posInSet))}</ul>`;
  }

  /** The rows shown, in order: every root, and the children of each expanded node, with their place in their set. */
  private visibleRows(nodes: readonly TreeNode[], out: Array<{ node: TreeNode; setSize: number; posInSet: number }> = []) {
    nodes.forEach((node, i) => {
      out.push({ node, setSize: nodes.length, posInSet: i + 1 });
      if (node.children.length && !this.collapsed.has(node.agent.name)) this.visibleRows(node.children, out);
    });
    return out;
  }

  private renderNode(node: TreeNode, focus: string, setSize: number, posInSet: number): unknown {
    const a = node.agent;
    const run = currentRunOf(a);
    const open = run ? isOpen(run.status) : false;
    const state = agentDisplayState(a);
    const hasKids = node.children.length > 0;
    const expanded = hasKids && !this.collapsed.has(a.name);
    const progress = open ? run?.progress : null;
    const last = a.lastRun && !isOpen(a.lastRun.status) ? a.lastRun : null;
    const lastAt = last ? (last.endedAt ?? last.startedAt) : null;
    const startedAt = open ? (run?.startedAt ?? run?.queuedAt ?? null) : null;
    return html`<li role="treeitem" data-name=${a.name} aria-level=${node.depth} aria-setsize=${setSize} aria-posinset=${posInSet}
        aria-selected=${a.name === this.selected ? 'true' : 'false'}
        aria-expanded=${hasKids ? String(expanded) : nothing} tabindex=${a.name === focus ? '0' : '-1'}
        @focus=${(e: FocusEvent) => { if (e.target === e.currentTarget) this.focusName = a.name; }}>
      <div class="row" style="--indent:${(node.depth - 1) * 1.1}rem" @click=${(e: Event) => this.select(a.name, e)}>
        <span></span>
        ${hasKids ? html`<button class="toggle" tabindex="-1" aria-hidden="true" @click=${(e: Event) => { e.stopPropagation(); this.toggle(a.name); }}>
          <oc-icon .icon=${expanded ? ChevronDown : ChevronRight}></oc-icon></button>` : html`<span></span>`}
        <div class="main">
          <div class="head"><span class="name">${a.name}</span><state-badge state=${state}></state-badge>
            ${a.example ? html`<span class="example" title="An example agent shipped with Ops Center"><oc-icon .icon=${FlaskConical}></oc-icon>example</span>` : nothing}</div>
          ${progress && progress.total > 0 ? html`<div class="progress">
            <progress max=${progress.total} .value=${Math.min(progress.done, progress.total)} aria-hidden="true"></progress>
            <span class="count">${progress.done} / ${progress.total}${progress.label ? ` ${progress.label}` : ''}</span></div>` : nothing}
          ${open && run?.activity ? html`<div class="activity">${run.activity}</div>` : nothing}
          <div class="last">${startedAt ? `started ${formatRelative(startedAt, this.now)}` : lastAt ? `last run ${formatRelative(lastAt, this.now)} · ${last!.status}`
            : 'never run'}</div>
        </div>
      </div>
    </li>`;
  }

  private visibleNames(nodes: readonly TreeNode[], out: string[] = []): string[] {
    for (const n of nodes) {
      out.push(n.agent.name);
      if (n.children.length && !this.collapsed.has(n.agent.name)) this.visibleNames(n.children, out);
    }
    return out;
  }

  private toggle(name: string, expand?: boolean): void {
    const next = new Set(this.collapsed);
    const collapse = expand === undefined ? !next.has(name) : !expand;
    if (collapse) next.add(name); else next.delete(name);
    this.collapsed = next;
  }

  select(name: string, e?: Event): void {
    this.focusName = name;
    this.selected = name;
    const item = (e?.currentTarget as HTMLElement | undefined)?.closest('li');
    item?.focus();
    this.dispatchEvent(new CustomEvent<AgentSelectDetail>('agent-select', { detail: { name }, bubbles: true, composed: true }));
  }

  private async moveFocus(name: string | undefined): Promise<void> {
    if (!name) return;
    this.focusName = name;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`li[data-name="${CSS.escape(name)}"]`)?.focus();
  }

  private onKeyDown = (e: KeyboardEvent) => {
    const item = (e.composedPath().find((n) => n instanceof HTMLElement && n.getAttribute('role') === 'treeitem')) as HTMLElement | undefined;
    if (!item) return;
    const name = item.dataset.name!;
    const roots = buildTree(this.agents);
    const visible = this.visibleNames(roots);
    const i = visible.indexOf(name);
    const expanded = item.getAttribute('aria-expanded');
    const parentName = this.agents.find((a) => a.name === name)?.parent ?? null;
    switch (e.key) {
      case 'ArrowDown': void this.moveFocus(visible[i + 1]); break;
      case 'ArrowUp': void this.moveFocus(visible[i - 1]); break;
      case 'Home': void this.moveFocus(visible[0]); break;
      case 'End': void this.moveFocus(visible[visible.length - 1]); break;
      case 'ArrowRight':
        if (expanded === 'false') this.toggle(name, true);
        else if (expanded === 'true') void this.moveFocus(visible[i + 1]);
        break;
      case 'ArrowLeft':
        if (expanded === 'true') this.toggle(name, false);
        else if (parentName && visible.includes(parentName)) void this.moveFocus(parentName);
        break;
      case 'Enter': case ' ': this.select(name); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  };
}

declare global {
  interface HTMLElementTagNameMap { 'agent-tree': AgentTree }
}
