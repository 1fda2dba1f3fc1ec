// The dashboard in Chromium for end-to-end tests: the real gateway started from sources (the client built first
// when out of date) with a known admin password, a page at desktop size in dark mode, the sign-in form, and
// polling what the page shows.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureClientBuilt } from '../../gateway/cli/client-build.js';
import { startGateway, root, type RunningGateway, type StartOptions } from './gateway-process.js';
import { launchChromium, SIZES } from './browser.js';
import { waitFor } from './wait-for.js';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export interface Dashboard {
  gw: RunningGateway;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Closes the browser, then stops the gateway. */
  close(): Promise<void>;
}

/** The gateway (with `env` added to the admin password and a cheap bcrypt cost) and a page not yet signed in. */
export async function openDashboard(env: Record<string, string> = {}, o: StartOptions = {}): Promise<Dashboard> {
  if (!ensureClientBuilt(root)) throw new Error('client build failed');
  const gw = await startGateway({ DASHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD, BCRYPT_COST: '4', LOG_DIGEST_DELAY_SECONDS: '0', ...env }, { fromSources: true, ...o });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: SIZES.desktop, colorScheme: 'dark' });
    const page = await context.newPage();
    const opened = browser;
    return {
      gw,
      browser,
      context,
      page,
      async close() {
        await opened.close();
        await gw.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await gw.stop();
    throw err;
  }
}

/** Fills the sign-in form the page shows and sends it with Enter. */
export async function fillSignIn(page: Page, password: string, username = 'admin'): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.keyboard.press('Enter');
}

/** Opens `from` (the sign-in page, or one that sends a signed-out visitor there), signs in as admin and waits to leave the form. */
export async function signInThroughForm(page: Page, base: string, from = '/login'): Promise<void> {
  await page.goto(base + from);
  await page.waitForURL(/\/login/);
  await fillSignIn(page, ADMIN_PASSWORD);
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** The context's cookies for the gateway, as a Cookie header for calls made beside the page. */
export async function cookieHeader(context: BrowserContext, base: string): Promise<string> {
  return (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Polls a check made in the page (waitForFunction evaluates strings, which the app's CSP forbids). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(what, check, timeoutMs, 100);
}
