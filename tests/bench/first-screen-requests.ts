// What the first screens fetch, in Chromium against the built gateway: /login signed out and / signed in (session
// cookie, empty storage: a first visit), each in a fresh phone-sized context. Counts what the page fetched and its transferred
// bytes until the network is idle, which page chunks and whether ECharts came, the service worker's precache
// apart, and the main thread's long tasks under a 4× CPU slowdown (blocking time = the part of each over 50 ms).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, SIZES } from '../support/browser.js';
import { signIn, startGateway } from '../support/gateway-process.js';
import { builtFiles, holdsECharts, pagesIn, recordRequests, summarise, type BuiltFile } from '../support/request-log.js';

export interface FirstScreenRequestsRow {
  screen: string;
  requests: number;
  'KiB transferred': string;
  'JS KiB': string;
  'page chunks': string;
  ECharts: string;
  'long tasks': number;
  'blocking ms (4× CPU)': number;
  'sw precache': string;
}

const kib = (n: number) => (n / 1024).toFixed(1);
// Runs in the page before its scripts (a DevTools-protocol script, not subject to the page's CSP).
const LONG_TASK_PROBE = `window.__ocLongTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__ocLongTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });`;

async function openScreen(browser: Browser, base: string, cookie: string | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: SIZES.phone, colorScheme: 'light', isMobile: true, hasTouch: true });
  if (cookie) {
    await context.addCookies(cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
    }));
  }
  await context.addInitScript({ content: LONG_TASK_PROBE });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { context, page };
}

async function measure(browser: Browser, base: string, files: Map<string, BuiltFile>, screen: string, path: string,
  cookie: string | null, ready: (page: Page) => Promise<unknown>): Promise<FirstScreenRequestsRow> {
  const { context, page } = await openScreen(browser, base, cookie);
  try {
    const log = recordRequests(context, base);
    await page.goto(base + path);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await log.settled();
    const pageRequests = log.requests.filter((r) => !r.fromServiceWorker);
    const longTasks = (await page.evaluate('window.__ocLongTasks')) as number[];
    // The service worker registers once the page has settled; its install precaches the app.
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await page.waitForLoadState('networkidle');
    await log.settled();
    const totals = summarise(log.requests);
    const js = pageRequests.filter((r) => r.path.endsWith('.js'));
    const loaded = js.map((r) => files.get(r.path)).filter((f): f is BuiltFile => f !== undefined);
    return {
      screen,
      requests: pageRequests.length,
      'KiB transferred': kib(pageRequests.reduce((n, r) => n + r.transferBytes, 0)),
      'JS KiB': kib(js.reduce((n, r) => n + r.transferBytes, 0)),
      'page chunks': [...new Set(loaded.flatMap(pagesIn))].join(' ') || '—',
      ECharts: loaded.some(holdsECharts) ? 'requested' : 'never',
      'long tasks': longTasks.length,
      'blocking ms (4× CPU)': Math.round(longTasks.reduce((n, d) => n + Math.max(0, d - 50), 0)),
      'sw precache': `${totals.swCount} files, ${kib(totals.swBytes)} KiB`,
    };
  } finally {
    await context.close();
  }
}

export async function measureFirstScreenRequests(): Promise<FirstScreenRequestsRow[]> {
  const gw = await startGateway({ METRICS_INTERVAL_SECONDS: '1' });
  let browser: Browser | undefined;
  try {
    const files = builtFiles();
    browser = await launchChromium();
    const cookie = await signIn(gw.base, gw.adminPassword);
    await new Promise((r) => setTimeout(r, 2500)); // a few system samples for the sparklines
    return [
      await measure(browser, gw.base, files, 'sign-in (/login, signed out)', '/login', null,
        (page) => page.getByLabel('Username').waitFor()),
      await measure(browser, gw.base, files, 'sign-in (/ → /login, signed out)', '/', null,
        (page) => page.getByLabel('Username').waitFor()),
      await measure(browser, gw.base, files, 'home (/, signed in)', '/', cookie,
        (page) => page.locator('metric-gauge spark-line').first().waitFor()),
    ];
  } finally {
    await browser?.close();
    await gw.stop();
  }
}

export function printFirstScreenRequests(rows: FirstScreenRequestsRow[]): void {
  console.log('What the first screens fetch in Chromium against the built gateway (phone size, fresh context; bytes as sent):');
  console.table(rows);
  console.log('');
}
