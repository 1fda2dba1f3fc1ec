// range-query: the figures' range read from and written to the page URL; a day, the default, leaves the query
// bare, other parameters and the path stay, and anything unknown reads as a day.
import { expect } from '@open-wc/testing';
import { pathWithRange, rangeOfPage, showRangeInUrl } from '../../client/src/pages/range-query.js';

describe('range-query', () => {
  afterEach(() => { window.history.replaceState(null, '', '/'); });

  it('reads the range from the router\'s location, an unknown or missing one as a day', () => {
    expect(rangeOfPage({ search: '?range=week' })).to.equal('week');
    expect(rangeOfPage({ search: '?range=month&x=1' })).to.equal('month');
    expect(rangeOfPage({ search: '?range=year' })).to.equal('day');
    expect(rangeOfPage({ search: '' })).to.equal('day');
  });

  it('reads the address bar when the page has no location of its own', () => {
    window.history.replaceState(null, '', '/analytics?range=month');
    expect(rangeOfPage()).to.equal('month');
    expect(rangeOfPage({})).to.equal('month');
  });

  it('sets the range in the query, keeping the path and the other parameters, and drops it for a day', () => {
    expect(pathWithRange('http://x.test/webhook', 'week')).to.equal('/webhook?range=week');
    expect(pathWithRange('http://x.test/webhook?range=week&tab=2#top', 'month')).to.equal('/webhook?range=month&tab=2');
    expect(pathWithRange('http://x.test/analytics?tab=2&range=month', 'day')).to.equal('/analytics?tab=2');
    expect(pathWithRange('http://x.test/analytics?range=week', 'day')).to.equal('/analytics');
  });

  it('shows the range in the address bar without adding a history entry', () => {
    window.history.replaceState({ keep: 1 }, '', '/webhook?tab=2');
    const entries = window.history.length;
    showRangeInUrl('week');
    expect(`${window.location.pathname}${window.location.search}`).to.equal('/webhook?tab=2&range=week');
    expect(window.history.length).to.equal(entries);
    expect(window.history.state).to.deep.equal({ keep: 1 });
    showRangeInUrl('day');
    expect(window.location.search).to.equal('?tab=2');
  });
});
