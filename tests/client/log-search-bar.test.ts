// <log-search-bar>: Enter searches with the typed text; filter changes (regex, case, level, sources) search at once
// with the text typed so far; active filters show as chips that remove themselves; `/` focuses the field.
import { fixture, html, expect, oneEvent } from '@open-wc/testing';
import '../../client/src/components/log-search-bar.js';
import type { LogSearchBar } from '../../client/src/components/log-search-bar.js';
import { EMPTY_QUERY, type LogQuery, type LogSource } from '../../client/src/pages/page-logs-data.js';
import { text } from './agents-fixtures.js';

const SOURCES: LogSource[] = [
  { id: 'pm2:api:err', kind: 'pm2', label: 'api (err)', process: 'api', stream: 'err', files: [] },
  { id: 'self', kind: 'self', label: 'Ops Center', files: [] },
];
const root = (el: LogSearchBar) => el.shadowRoot!;
const input = (el: LogSearchBar) => root(el).querySelector<HTMLInputElement>('input[type="search"]')!;

async function typeText(el: LogSearchBar, value: string): Promise<void> {
  input(el).value = value;
  input(el).dispatchEvent(new Event('input'));
  await el.updateComplete;
}

describe('log-search-bar', () => {
  it('Enter in the field emits the query with the typed text and the current filters', async () => {
    const el = await fixture<LogSearchBar>(html`<log-search-bar .sources=${SOURCES} .query=${{ ...EMPTY_QUERY, level: 'warn' }}></log-search-bar>`);
    await typeText(el, 'timeout');
    const form = root(el).querySelector('form')!;
    setTimeout(() => form.requestSubmit());
    const ev = (await oneEvent(el, 'log-search')) as CustomEvent<LogQuery>;
    expect(ev.detail).to.deep.equal({ ...EMPTY_QUERY, q: 'timeout', level: 'warn' });
  });

  it('toggling regex and case, picking a level and a source each search at once, keeping the typed text', async () => {
    const el = await fixture<LogSearchBar>(html`<log-search-bar .sources=${SOURCES}></log-search-bar>`);
    await typeText(el, 'ECONN|timeout');
    const got: LogQuery[] = [];
    el.addEventListener('log-search', (e) => got.push((e as CustomEvent<LogQuery>).detail));
    root(el).querySelector<HTMLButtonElement>('button.regex')!.click();
    root(el).querySelector<HTMLButtonElement>('button.case')!.click();
    const level = root(el).querySelector<HTMLSelectElement>('select.level')!;
    level.value = 'error';
    level.dispatchEvent(new Event('change'));
    const box = root(el).querySelector<HTMLInputElement>('details.sources input[value="pm2:api:err"]')!;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    expect(got).to.have.length(4);
    expect(got[0]).to.include({ q: 'ECONN|timeout', regex: true, caseSensitive: false });
    expect(got[1]).to.include({ regex: true, caseSensitive: true });
    expect(got[2]).to.include({ level: 'error' });
    expect(got[3]).to.deep.equal({ ...EMPTY_QUERY, q: 'ECONN|timeout', regex: true, caseSensitive: true, level: 'error', sources: ['pm2:api:err'] });
    await el.updateComplete;
    expect(root(el).querySelector('button.regex')!.getAttribute('aria-pressed')).to.equal('true');
  });

  it('shows the active filters as chips; removing one searches without it', async () => {
    const q: LogQuery = { ...EMPTY_QUERY, q: 'x', level: 'warn', sources: ['pm2:api:err', 'self'], from: '2026-01-01T00:00:00.000Z' };
    const el = await fixture<LogSearchBar>(html`<log-search-bar .sources=${SOURCES} .query=${q}></log-search-bar>`);
    const chips = [...root(el).querySelectorAll<HTMLButtonElement>('button.chip')];
    expect(chips.map((c) => text(c))).to.deep.equal(['level ≥ warn', 'source api (err)', 'source Ops Center', 'from 2026-01-01 00:00 UTC', 'Clear filters']);
    expect(chips[1]!.getAttribute('aria-label')).to.equal('Remove filter: source api (err)');
    setTimeout(() => chips[1]!.click());
    const ev = (await oneEvent(el, 'log-search')) as CustomEvent<LogQuery>;
    expect(ev.detail.sources).to.deep.equal(['self']);
    expect(ev.detail.level).to.equal('warn');
    expect(ev.detail.q).to.equal('x');
  });

  it('while searching offers Cancel (emits log-cancel) instead of Search; focusSearch() focuses the field', async () => {
    const el = await fixture<LogSearchBar>(html`<log-search-bar searching></log-search-bar>`);
    expect(root(el).querySelector('button.go')).to.be.null;
    const stop = root(el).querySelector<HTMLButtonElement>('button.stop')!;
    expect(text(stop)).to.equal('Cancel');
    setTimeout(() => stop.click());
    await oneEvent(el, 'log-cancel');
    expect(el.focusSearch()).to.be.true;
    expect(root(el).activeElement).to.equal(input(el));
  });

  it('says why a pattern was refused, next to the field', async () => {
    const el = await fixture<LogSearchBar>(html`<log-search-bar fieldError="Not a valid pattern: Unterminated group"></log-search-bar>`);
    expect(text(root(el).querySelector('#field-error'))).to.equal('Not a valid pattern: Unterminated group');
    expect(input(el).getAttribute('aria-invalid')).to.equal('true');
  });

  it('says why the live tail refused the pattern, unless the search already said the pattern is bad', async () => {
    const el = await fixture<LogSearchBar>(html`<log-search-bar tailError="The live tail refused this pattern: no backreferences"></log-search-bar>`);
    const note = root(el).querySelector('#tail-error')!;
    expect(text(note)).to.equal('The live tail refused this pattern: no backreferences');
    expect(note.getAttribute('role')).to.equal('alert');
    expect(input(el).getAttribute('aria-invalid')).to.equal('true');
    expect(input(el).getAttribute('aria-describedby')).to.contain('tail-error');
    el.fieldError = 'Not a valid pattern: Unterminated group';
    await el.updateComplete;
    expect(text(root(el).querySelector('#tail-error')), 'one message for one bad pattern').to.equal('');
    el.fieldError = '';
    el.tailError = '';
    await el.updateComplete;
    expect(text(root(el).querySelector('#tail-error'))).to.equal('');
    expect(input(el).getAttribute('aria-invalid')).to.equal('false');
  });
});
