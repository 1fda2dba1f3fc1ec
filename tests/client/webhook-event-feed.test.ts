// <webhook-event-feed>: newest first, live events appended at the top, one row per id, each kind in words with an
// icon; Pause and scrolling away hold new events (counted) until resumed; only message lengths, never texts.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/webhook-event-feed.js';
import type { WebhookEventFeed } from '../../client/src/components/webhook-event-feed.js';
import { eventTitle } from '../../client/src/pages/webhook-data.js';
import { chat, click, delivery } from './webhook-fixtures.js';
import { tolerateResizeObserverLoop } from './agents-fixtures.js';

const rows = (el: WebhookEventFeed) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('.row')];
const titles = (el: WebhookEventFeed) => rows(el).map((r) => r.querySelector('.title')!.textContent);
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

describe('webhook-event-feed', () => {
  let untolerate: () => void = () => {};
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());

  it('shows history newest first and puts live events on top, each id once, in words with an icon', async () => {
    const el = await fixture<WebhookEventFeed>(html`<webhook-event-feed style="--feed-height:400px"></webhook-event-feed>`);
    const a = click({ button: 'RETRIEVE_CONTENT' });
    const b = chat({ direction: 'inbound', chars: 57 });
    el.setEvents([a, b]);
    await waitUntil(() => rows(el).length === 2, 'history drawn');
    expect(titles(el)).to.deep.equal(['Message received', 'Retrieve content click']);
    const c = delivery({ status: 'failed' });
    expect(el.addEvents([c, a])).to.equal(1);
    await waitUntil(() => rows(el).length === 3, 'live event drawn');
    expect(titles(el)).to.deep.equal(['Delivery failed', 'Message received', 'Retrieve content click']);
    const top = rows(el)[0]!;
    expect(top.classList.contains('bad'), 'a failure is drawn as a problem').to.be.true;
    expect(top.querySelector('oc-icon')!.icon, 'has an icon').to.exist;
    expect(top.querySelector('.detail')!.textContent).to.contain('Recipient not on WhatsApp');
    expect(rows(el)[1]!.querySelector('.detail')!.textContent).to.contain('57 characters');
    expect(el.shadowRoot!.querySelector('.count')!.textContent).to.contain('3 events');
  });

  it('names every kind in words, unknown ones included', () => {
    expect(eventTitle(click({ button: 'UNLOCK_CONTENT' }))).to.equal('Unlock content click');
    expect(eventTitle(click({ button: 'SHARE_WITH_CLIENTS' }))).to.equal('Share with clients click');
    expect(eventTitle(chat({ direction: 'outbound', replyMs: 900 }))).to.equal('AI reply sent');
    expect(eventTitle(delivery({ status: 'read' }))).to.equal('Delivery read');
    expect(eventTitle({ type: 'status', status: 'degraded' } as never)).to.equal('Webhook degraded');
    expect(eventTitle({ type: 'poll_vote' })).to.equal('Unknown event (poll_vote)');
  });

  it('holds new events while paused, counts them, and shows them on resume', async () => {
    const el = await fixture<WebhookEventFeed>(html`<webhook-event-feed style="--feed-height:400px"></webhook-event-feed>`);
    el.setEvents([click()]);
    await waitUntil(() => rows(el).length === 1);
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.pause')!.click();
    await el.updateComplete;
    expect(el.paused).to.be.true;
    el.addEvents([click(), chat()]);
    await el.updateComplete;
    expect(rows(el).length).to.equal(1);
    expect(el.held).to.equal(2);
    expect(el.shadowRoot!.querySelector('.count')!.textContent).to.contain('2 new events held');
    expect(el.shadowRoot!.querySelector('button.float')!.textContent).to.contain('Show 2 new');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.pause')!.click();
    await waitUntil(() => rows(el).length === 3, 'held events shown');
    expect(el.held).to.equal(0);
  });

  it('pauses by itself when the reader scrolls down to older events, and resumes at the top', async () => {
    const el = await fixture<WebhookEventFeed>(html`<webhook-event-feed style="--feed-height:240px"></webhook-event-feed>`);
    el.setEvents(Array.from({ length: 60 }, () => click()));
    await waitUntil(() => rows(el).length > 5, 'rows drawn');
    const scroller = el.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
    scroller.scrollTop = 600;
    scroller.dispatchEvent(new Event('scroll'));
    await waitUntil(() => el.scrolledAway, 'scrolled away');
    const newest = click({ button: 'SHARE_WITH_CLIENTS' });
    el.addEvents([newest]);
    await el.updateComplete;
    expect(el.held).to.equal(1);
    expect(el.events[0]!.id).not.to.equal(newest.id);
    expect(el.shadowRoot!.querySelector('.count')!.textContent).to.contain('paused while you read');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.float')!.click();
    await waitUntil(() => el.events[0]?.id === newest.id, 'newest on top');
    await frame();
    expect(scroller.scrollTop).to.equal(0);
    expect(el.held).to.equal(0);
  });

  it('asks for older events from its button, and never shows a message text field', async () => {
    const el = await fixture<WebhookEventFeed>(html`<webhook-event-feed .hasOlder=${true}></webhook-event-feed>`);
    const withText = { ...chat({ chars: 12 }), text: 'secret words' } as never;
    el.setEvents([withText]);
    await waitUntil(() => rows(el).length === 1);
    expect(el.shadowRoot!.textContent).not.to.contain('secret words');
    let asked = 0;
    el.addEventListener('feed-load-older', () => { asked += 1; });
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.older')!.click();
    expect(asked).to.equal(1);
  });
});
