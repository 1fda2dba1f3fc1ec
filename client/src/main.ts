// Entry point: applies the theme before first paint, mounts the shell, starts the router in its
// outlet and registers the service worker.
import './app/shoelace-setup.js';
import { Router } from '@vaadin/router';
import { watchTheme } from './app/theme-preference.js';
import { routes } from './app/routes.js';
import { serviceWorkerUpdates } from './app/sw-registration.js';
import type { OcApp } from './app/oc-app.js';
import './app/oc-app.js';

watchTheme();

async function start(): Promise<void> {
  const app: OcApp = document.querySelector('oc-app') ?? document.body.appendChild(document.createElement('oc-app'));
  await app.updateComplete;
  const router = new Router(app.outlet);
  await router.setRoutes(routes);
}

void start();
void serviceWorkerUpdates.register();
