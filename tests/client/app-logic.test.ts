// Shell logic without the DOM shell: problem counting, keyboard shortcuts and the theme preference.
import { expect } from '@open-wc/testing';
import { countProblems, problemLabel } from '../../client/src/app/problem-count.js';
import { installShortcuts } from '../../client/src/app/keyboard-shortcuts.js';
import { readThemePreference, setThemePreference } from '../../client/src/app/theme-preference.js';

describe('problem-count', () => {
  it('is unknown (not 0) before any status arrived', () => {
    expect(countProblems(null)).to.equal(null);
    expect(problemLabel(null)).to.equal('Problems: —');
  });

  it('counts down/degraded services, processes not online and active alerts; fresher processes win', () => {
    const health = {
      services: { a: { state: 'down' }, b: { state: 'degraded' }, c: { state: 'unknown' }, d: { state: 'not_configured' }, e: { state: 'up' } },
      processes: [{ status: 'online' }, { status: 'stopped' }],
      alerts: { active: [{}, {}] },
    };
    expect(countProblems(health)).to.equal(5);
    expect(countProblems(health, [{ status: 'online' }, { status: 'online' }])).to.equal(4);
    expect(problemLabel(1)).to.equal('1 problem');
    expect(problemLabel(0)).to.equal('0 problems');
  });
});

describe('keyboard-shortcuts', () => {
  function setup() {
    const log: string[] = [];
    let t = 0;
    const remove = installShortcuts(window, {
      help: () => log.push('help'), go: (p) => log.push(`go ${p}`), focusSearch: () => { log.push('search'); return true; },
      escape: () => log.push('esc'),
    }, () => t);
    const press = (key: string, target: EventTarget = window) =>
      target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
    return { log, remove, press, advance: (ms: number) => { t += ms; } };
  }

  it('maps ?, g h / g a / g l / g s, / and Esc', () => {
    const { log, remove, press } = setup();
    for (const key of ['?', 'g', 'h', 'g', 'a', 'g', 'l', 'g', 's', '/', 'Escape']) press(key);
    remove();
    expect(log).to.deep.equal(['help', 'go /', 'go /agents', 'go /logs', 'go /settings', 'search', 'esc']);
  });

  it('forgets a lone g after 1.5 s', () => {
    const { log, remove, press, advance } = setup();
    press('g');
    advance(2000);
    press('h');
    remove();
    expect(log).to.deep.equal([]);
  });

  it('ignores keys typed into a text field', () => {
    const { log, remove, press } = setup();
    const input = document.createElement('input');
    document.body.append(input);
    press('?', input);
    press('g', input);
    press('h', input);
    input.remove();
    remove();
    expect(log).to.deep.equal([]);
  });
});

describe('theme-preference', () => {
  afterEach(() => setThemePreference('system'));

  it('applies an override to <html> (data-theme and Shoelace class) and remembers it', () => {
    setThemePreference('dark');
    const root = document.documentElement;
    expect(root.dataset.theme).to.equal('dark');
    expect(root.classList.contains('sl-theme-dark')).to.equal(true);
    expect(root.classList.contains('sl-theme-light')).to.equal(false);
    expect(readThemePreference()).to.equal('dark');
    setThemePreference('light');
    expect(root.dataset.theme).to.equal('light');
    expect(root.classList.contains('sl-theme-light')).to.equal(true);
  });

  it('"system" follows prefers-color-scheme and clears the stored override', () => {
    setThemePreference('system');
    expect(localStorage.getItem('oc-theme')).to.equal(null);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    expect(document.documentElement.dataset.theme).to.equal(dark ? 'dark' : 'light');
  });

  it('switches the dark sheet\'s media with the preference, so it applies only where the dark theme is used', () => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.dataset.themeSheet = 'dark';
    link.media = '(prefers-color-scheme: dark)';
    document.head.append(link);
    try {
      setThemePreference('dark');
      expect(link.media).to.equal('all');
      setThemePreference('light');
      expect(link.media).to.equal('not all');
      setThemePreference('system');
      expect(link.media).to.equal('(prefers-color-scheme: dark)');
    } finally {
      link.remove();
    }
  });
});
