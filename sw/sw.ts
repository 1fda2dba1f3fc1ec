// Service worker: precached app shell (navigations → /index.html), /api/health network-first into the
// 'oc-status' cache for the offline view, no other API caching, user-approved updates, and push.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

const STATUS_CACHE = 'oc-status';
const NOTIFICATION_ICON = '/icons/icon-192.png';

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), {
  denylist: [/^\/api(\/|$)/, /^\/ws(\/|$)/, /^\/healthz(\/|$)/],
}));

// The one API response kept for offline: the last status snapshot, fresh whenever the network answers.
registerRoute(
  ({ url, request, sameOrigin }) => sameOrigin && request.method === 'GET' && url.pathname === '/api/health',
  new NetworkFirst({ cacheName: STATUS_CACHE, networkTimeoutSeconds: 4 }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const type = (event.data as { type?: unknown } | null)?.type;
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  else if (type === 'CLEAR_STATUS') event.waitUntil(caches.delete(STATUS_CACHE));
});

// A new version only waits until the page asks (update toast); once active it controls open pages at once.
self.addEventListener('activate', (event: ExtendableEvent) => {
  event.waitUntil(self.clients.claim());
});

interface PushPayload { title?: unknown; body?: unknown; url?: unknown; tag?: unknown }

/** Only same-origin targets: a push payload must not be able to open arbitrary sites. */
function sameOriginUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') return '/';
  try {
    const url = new URL(raw, self.location.origin);
    return url.origin === self.location.origin ? url.href : '/';
  } catch {
    return '/';
  }
}

self.addEventListener('push', (event: PushEvent) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    payload = { body: event.data?.text() };
  }
  const title = typeof payload.title === 'string' && payload.title ? payload.title : 'Ops Center';
  const options: NotificationOptions = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon: NOTIFICATION_ICON,
    badge: NOTIFICATION_ICON,
    data: { url: sameOriginUrl(payload.url) },
  };
  if (typeof payload.tag === 'string' && payload.tag) options.tag = payload.tag;
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  const target = sameOriginUrl((event.notification.data as { url?: unknown } | null)?.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const exact = windows.find((c) => c.url === target);
    if (exact) {
      await exact.focus();
      return;
    }
    const any = windows.find((c) => new URL(c.url).origin === self.location.origin);
    if (any) {
      const focused = await any.focus();
      await focused.navigate(target).catch(() => self.clients.openWindow(target));
      return;
    }
    await self.clients.openWindow(target);
  })());
});
