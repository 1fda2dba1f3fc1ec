// A component that holds a Shoelace dialog, mounted and opened (resolved once the dialog has shown, which is
// when Shoelace moves the first focus), and lookups in its shadow root.
import { fixture, oneEvent } from '@open-wc/testing';
import type { TemplateResult } from 'lit';

/** The first match of `sel` in the element's shadow root. */
export const q = <T extends Element = Element>(el: Element, sel: string): T => el.shadowRoot!.querySelector<T>(sel)!;

/** Whether the match of `sel` has the focus inside the element (compared here: chai's message for elements is unreadable). */
export const focused = (el: Element, sel: string): boolean => el.shadowRoot!.activeElement === q(el, sel);

/** Mounts the template and opens its element; resolves once its sl-dialog has shown. */
export async function openShown<T extends HTMLElement & { open: boolean }>(template: TemplateResult): Promise<T> {
  const el = await fixture<T>(template);
  const shown = oneEvent(q(el, 'sl-dialog'), 'sl-after-show');
  el.open = true;
  await shown;
  return el;
}
