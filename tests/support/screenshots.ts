// Pictures of the dashboard in every look it supports: the phone and desktop widths, dark and light, each
// checked for sideways scrolling. Pictures for the docs go to docs/screenshots/, the others to tests/.artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { SIZES, type Size } from './browser.js';
import { root } from './gateway-process.js';

export type Scheme = 'dark' | 'light';
export interface Look {
  size: Size;
  scheme: Scheme;
}

export const ARTIFACT_SHOTS = path.join(root, 'tests/.artifacts/screenshots');
export const DOCS_SHOTS = path.join(root, 'docs/screenshots');

/** The file of the picture `name` in `dir` (made if missing). */
export function shotPath(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

export const screenshotPath = (name: string): string => shotPath(ARTIFACT_SHOTS, name);

/**
 * Shows the page at every size in both schemes, waits `settleMs` for layout and charts to settle, calls `shoot`,
 * and asserts `what` does not scroll sideways; leaves the page at desktop size, dark.
 */
export async function inEveryLook(page: Page, what: string, shoot: (look: Look) => Promise<unknown>, settleMs = 150): Promise<void> {
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of Object.keys(SIZES) as Size[]) {
      await page.setViewportSize(SIZES[size]);
      await page.waitForTimeout(settleMs);
      await shoot({ size, scheme });
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 0, `${what} scrolls sideways at ${size} (${overflow}px)`);
    }
  }
  await page.setViewportSize(SIZES.desktop);
  await page.emulateMedia({ colorScheme: 'dark' });
}

/** Full-page pictures `<name>-<size>-<scheme>.png` in `dir`, in every look. */
export function shootAll(page: Page, name: string, dir = ARTIFACT_SHOTS): Promise<void> {
  return inEveryLook(page, name, ({ size, scheme }) => page.screenshot({ path: shotPath(dir, `${name}-${size}-${scheme}`), fullPage: true }));
}
