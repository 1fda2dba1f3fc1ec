// Bytes a browser transfers for the first screen: the sign-in page signed out, home signed in, each in a fresh
// Chromium profile against the built gateway, then again with the cache warm. Counted from the DevTools
// protocol (encodedDataLength: headers and body as they came over the wire); the service worker is blocked so
// its background precache of the whole app is not counted as the first screen.
import type { BrowserContext, CDPSession } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { signIn, startGateway } from '../support/gateway-process.js';

export interface FirstScreenRow {
  screen: string;
  visit: 'first' | 'repeat';
  requests: number;
  'transferred KiB': number;
  'decoded KiB': number;
  'JS transferred KiB': number;
  target: string;
}

interface Counted { requests: number; transferred: number; decoded: number; js: number }

function countTraffic(cdp: CDPSession): { done(): Counted } {
  const types = new Map<string, string>();
  const counted: Counted = { requests: 0, transferred: 0, decoded: 0, js: 0 };
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.dataReceived', (e) => { counted.decoded += e.dataLength; });
  cdp.on('Network.loadingFinished', (e) => {
    counted.requests++;
    counted.transferred += e.encodedDataLength;
    if (types.get(e.requestId) === 'Script') counted.js += e.encodedDataLength;
  });
  return { done: () => ({ ...counted }) };
}

async function visit(context: BrowserContext, url: string, ready: string): Promise<Counted> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const traffic = countTraffic(cdp);
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(ready).first().waitFor({ state: 'attached', timeout: 20_000 });
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  const counted = traffic.done();
  await page.close();
  return counted;
}

const kib = (n: number) => Math.round((n / 1024) * 10) / 10;

export async function measureFirstScreen(): Promise<FirstScreenRow[]> {
  const gw = await startGateway({ RATE_LIMIT_PER_MINUTE: '100000' });
  const browser = await launchChromium();
  try {
    const cookie = await signIn(gw.base, gw.adminPassword);
    const screens = [
      { screen: 'sign-in (/login)', path: '/login', ready: 'page-login', signedIn: false, target: '≤ 100 KiB' },
      { screen: 'home (/)', path: '/', ready: 'page-home', signedIn: true, target: '≤ 200 KiB' },
    ];
    const rows: FirstScreenRow[] = [];
    for (const s of screens) {
      const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1440, height: 900 } });
      if (s.signedIn) {
        await context.addCookies(cookie.split('; ').map((pair) => {
          const eq = pair.indexOf('=');
          return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: gw.base };
        }));
      }
      for (const which of ['first', 'repeat'] as const) {
        const c = await visit(context, gw.base + s.path, s.ready);
        rows.push({
          screen: s.screen, visit: which, requests: c.requests, 'transferred KiB': kib(c.transferred),
          'decoded KiB': kib(c.decoded), 'JS transferred KiB': kib(c.js), target: which === 'first' ? s.target : '',
        });
      }
      await context.close();
    }
    return rows;
  } finally {
    await browser.close();
    await gw.stop();
  }
}

export function printFirstScreen(rows: FirstScreenRow[]): void {
  console.log('First screen in Chromium (fresh profile, then reloaded; service worker blocked), bytes over the wire:');
  console.table(rows);
  console.log('');
}
