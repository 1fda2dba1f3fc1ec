// <error-groups>: groups most recent first with count, level word, sources and a 24-hour strip; occurrences on
// demand as links to the entries; a search for the group's text.
import { fixture, html, expect, oneEvent } from '@open-wc/testing';
import '../../client/src/components/error-groups.js';
import type { ErrorGroups } from '../../client/src/components/error-groups.js';
import { text } from './agents-fixtures.js';
import { FILE, group } from './log-fixtures.js';

describe('error-groups', () => {
  it('lists each group with its count, level word, sources and the last 24 hours', async () => {
    const el = await fixture<ErrorGroups>(html`<error-groups .groups=${[group('fp1', 12), group('fp2', 1234, { sources: ['pm2:api:err', 'self'] })]}></error-groups>`);
    const items = [...el.shadowRoot!.querySelectorAll('li.group')];
    expect(items.map((i) => i.getAttribute('data-fingerprint'))).to.deep.equal(['fp1', 'fp2']);
    expect(text(items[0]!.querySelector('.count'))).to.equal('12 ×');
    expect(text(items[1]!.querySelector('.count'))).to.equal('1,234 ×');
    expect(text(items[0]!.querySelector('.tpl'))).to.equal('Error: timeout after <n> ms (fp1)');
    expect(text(items[1]!.querySelector('.sources'))).to.equal('pm2:api:err, self');
    expect(items[0]!.querySelector('svg.hours')!.getAttribute('aria-label')).to.match(/^12 in the last 24 hours/);
    expect(items[0]!.querySelectorAll('svg.hours rect')).to.have.length(24);
    const badge = items[0]!.querySelector('log-level-badge')!;
    await (badge as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(text(badge.shadowRoot!.querySelector('.word'))).to.equal('error');
  });

  it('toggles occurrences (event), shows them as links to the entries, and searches for a group', async () => {
    const el = await fixture<ErrorGroups>(html`<error-groups .groups=${[group('fp1', 3)]}></error-groups>`);
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('button.toggle')!.click());
    const toggle = (await oneEvent(el, 'group-toggle')) as CustomEvent<{ fingerprint: string }>;
    expect(toggle.detail.fingerprint).to.equal('fp1');
    el.expanded = 'fp1';
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('[role="status"]'))).to.equal('Loading occurrences…');
    el.occurrences = [{ ts: new Date().toISOString(), source: 'pm2:api:err', file: FILE, offset: 42 }];
    await el.updateComplete;
    const link = el.shadowRoot!.querySelector<HTMLAnchorElement>('ol.occ a')!;
    expect(link.getAttribute('href')).to.equal(`/logs?file=${encodeURIComponent(FILE)}&offset=42`);
    setTimeout(() => link.click());
    const open = (await oneEvent(el, 'log-open')) as CustomEvent<{ hit: { file: string; offset: number } }>;
    expect(open.detail.hit).to.include({ file: FILE, offset: 42 });
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('button.search')!.click());
    const search = (await oneEvent(el, 'group-search')) as CustomEvent<{ q: string }>;
    expect(search.detail.q).to.equal('Error: timeout after 3000 ms (fp1)');
  });

  it('says when there are no errors', async () => {
    const el = await fixture<ErrorGroups>(html`<error-groups .groups=${[]}></error-groups>`);
    expect(text(el.shadowRoot!)).to.contain('No errors in this window.');
  });
});
