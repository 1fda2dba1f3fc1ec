// Registers /sw.js and tracks a waiting new version: the shell shows "New version available — Reload";
// the new worker only takes over when the user asks (SKIP_WAITING), then the page reloads once.

export class ServiceWorkerUpdates extends EventTarget {
  /** A new worker installed and waiting to take over; null when none. Fires 'change' when it is set. */
  waiting: ServiceWorker | null = null;
  #registration: ServiceWorkerRegistration | null = null;

  async register(url = '/sw.js'): Promise<void> {
    if (!('serviceWorker' in navigator)) return;
    let registration: ServiceWorkerRegistration;
    try {
      registration = await navigator.serviceWorker.register(url, { scope: '/' });
    } catch (err) {
      console.warn('service worker not registered; offline support is off', err);
      return;
    }
    // Some browsers (and blocked service workers) resolve without a registration.
    if (!registration) return;
    this.#registration = registration;
    // With no controller this is the first install: nothing old to replace, so no toast.
    if (registration.waiting && navigator.serviceWorker.controller) this.#setWaiting(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'installed' && navigator.serviceWorker.controller) this.#setWaiting(installing);
      });
    });
    // Installed apps stay open for days: look for a new version whenever the app comes back into view.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.#registration?.update().catch(() => {});
    });
  }

  /** Activates the waiting worker and reloads once it controls the page (never mixing old and new files). */
  applyUpdate(): void {
    const waiting = this.waiting ?? this.#registration?.waiting ?? null;
    if (!waiting) {
      location.reload();
      return;
    }
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (reloading) return;
      reloading = true;
      location.reload();
    });
    waiting.postMessage({ type: 'SKIP_WAITING' });
  }

  #setWaiting(worker: ServiceWorker): void {
    this.waiting = worker;
    this.dispatchEvent(new Event('change'));
  }
}

export const serviceWorkerUpdates = new ServiceWorkerUpdates();
