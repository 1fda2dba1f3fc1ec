// Entry point: applies the theme before first paint, mounts the shell, starts the router in its
// outlet and, once the page has loaded and painted, registers the service worker (whose install precaches the
// whole app: that download must not compete with the first screen's).
import './app/slice-renders.js';
import './app/shoelace-setup.js';
import { Router } from '@vaadin/router';
import { watchTheme } from './app/theme-preference.js';
import { routes } from './app/routes.js';
import { serviceWorkerUpdates } from './app/sw-registration.js';
import { afterNextPaint } from './app/after-paint.js';
import type { OcApp } from './app/oc-app.js';
import './app/oc-app.js';

watchTheme();

async function start(): Promise<void> {
  const app: OcApp = document.querySelector('oc-app') ?? document.body.appendChild(document.createElement('oc-app'));
  await app.updateComplete;
  const router = new Router(app.outlet);
  await router.setRoutes(routes);
}

/** After the load event and the next paint, when the main thread is idle (or after 2 s at most). */
function whenSettled(): Promise<void> {
  const loaded = document.readyState === 'complete' ? Promise.resolve()
    : new Promise<void>((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
  return loaded.then(afterNextPaint).then(() => new Promise<void>((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 2000 });
    else setTimeout(resolve, 0);
  }));
}

void start();
void whenSettled().then(() => serviceWorkerUpdates.register());
