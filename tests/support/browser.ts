// Debian's Chromium driven by playwright-core (no browser download), with the flags this machine needs, and the
// window sizes every screen is checked at.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The two widths every screen is checked at: a 375 px phone and a desktop. */
export const SIZES = { phone: { width: 375, height: 740 }, desktop: { width: 1440, height: 900 } } as const;
export type Size = keyof typeof SIZES;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A non-incognito profile (in a temp dir): Chromium never calls an incognito page installable. */
export function launchChromiumProfile(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
