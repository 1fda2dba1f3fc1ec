// <log-context>: the entry and its neighbours with the entry marked, its whole message (stack included),
// earlier/later entries on demand, and a link to copy.
import { fixture, html, expect, oneEvent } from '@open-wc/testing';
import '../../client/src/components/log-context.js';
import type { LogContext, ContextMoreDetail } from '../../client/src/components/log-context.js';
import { text } from './agents-fixtures.js';
import { FILE, context } from './log-fixtures.js';

describe('log-context', () => {
  it('shows the entries around the hit with the hit marked and its stack trace whole', async () => {
    const el = await fixture<LogContext>(html`<log-context .data=${context(1000)} .hit=${{ file: FILE, offset: 1000 }}></log-context>`);
    const items = [...el.shadowRoot!.querySelectorAll('li')];
    expect(items).to.have.length(5);
    const marked = el.shadowRoot!.querySelector('li.hit')!;
    expect(marked.getAttribute('data-offset')).to.equal('1000');
    expect(marked.getAttribute('aria-current')).to.equal('true');
    expect(text(marked.querySelector('.tag'))).to.equal('this entry');
    expect(marked.querySelector('pre')!.textContent).to.equal('Error: boom\n    at handler (api.js:10:5)');
    expect(text(el.shadowRoot!.querySelector('h3'))).to.contain(FILE);
    expect(el.shadowRoot!.querySelector('button.more.after')).to.be.null;
    expect(text(el.shadowRoot!.querySelector('.edge'))).to.contain('end of the file');
  });

  it('asks for earlier entries, copies the link and closes through events', async () => {
    const el = await fixture<LogContext>(html`<log-context .data=${context(1000)} .hit=${{ file: FILE, offset: 1000 }}></log-context>`);
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('button.more.before')!.click());
    const more = (await oneEvent(el, 'context-more')) as CustomEvent<ContextMoreDetail>;
    expect(more.detail.direction).to.equal('before');
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('button.copy')!.click());
    const copy = (await oneEvent(el, 'log-copy-link')) as CustomEvent<{ hit: { file: string; offset: number } }>;
    expect(copy.detail.hit).to.deep.equal({ file: FILE, offset: 1000 });
    setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('button.close')!.click());
    await oneEvent(el, 'context-close');
  });

  it('says when it is loading and when the entry cannot be read', async () => {
    const el = await fixture<LogContext>(html`<log-context loading .hit=${{ file: FILE, offset: 5 }}></log-context>`);
    expect(text(el.shadowRoot!.querySelector('[role="status"]'))).to.equal('Loading the entries around it…');
    el.loading = false;
    el.error = 'This entry is no longer available.';
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('[role="alert"]'))).to.equal('This entry is no longer available.');
  });
});
