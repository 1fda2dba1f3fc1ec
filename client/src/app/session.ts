// Who is signed in, and signing out: the one place that knows what "leaving" must clean up
// (server session, live connection, the offline status cache in the service worker).
import { Router } from '@vaadin/router';
import { api, ApiClientError, type SessionUser } from '../api/api-client.js';
import { liveStore } from '../live/live-store.js';

export type SessionState =
  | { kind: 'signed-in'; user: SessionUser }
  /** Signed in with a generated first password: nothing but choosing a new one until then. */
  | { kind: 'must-change-password'; user: SessionUser }
  | { kind: 'signed-out' }
  /** The gateway could not be asked (offline): let the shell show the last known status. */
  | { kind: 'unknown' };

export const STATUS_CACHE = 'oc-status';
/** Set while this browser was last seen signed in: a hint only (the gateway decides), never a secret. */
const SIGNED_IN_HINT = 'oc-signed-in';

export async function checkSession(): Promise<SessionState> {
  try {
    const me = await api.session();
    if (!me) {
      rememberSignedIn(false);
      return { kind: 'signed-out' };
    }
    rememberSignedIn(!me.mustChangePassword);
    return { kind: me.mustChangePassword ? 'must-change-password' : 'signed-in', user: me.user };
  } catch (err) {
    if (err instanceof ApiClientError && err.status === 401) {
      rememberSignedIn(false); // e.g. a revoked token
      return { kind: 'signed-out' };
    }
    return { kind: 'unknown' };
  }
}

/**
 * Whether this browser was signed in when last asked. Pages behind sign-in load their code alongside the session
 * check only then; a signed-out visitor's browser fetches nothing but the sign-in page.
 */
export function probablySignedIn(storage: Pick<Storage, 'getItem'> = localStorage): boolean {
  try {
    return storage.getItem(SIGNED_IN_HINT) === '1';
  } catch {
    return false; // storage blocked: ask first, then load
  }
}

export function rememberSignedIn(signedIn: boolean, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  try {
    if (signedIn) storage.setItem(SIGNED_IN_HINT, '1');
    else storage.removeItem(SIGNED_IN_HINT);
  } catch {
    // storage blocked: the hint is only an optimisation
  }
}

/** The login URL that brings the user back to `path` afterwards. */
export function loginUrlFor(path: string): string {
  return path === '/' || path === '' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}

/** Forgets everything the browser holds for this user; the caller decides where to go next. */
export async function clearLocalSession(): Promise<void> {
  rememberSignedIn(false);
  liveStore.stop();
  api.forgetSession();
  navigator.serviceWorker?.controller?.postMessage({ type: 'CLEAR_STATUS' });
  try {
    if ('caches' in window) await caches.delete(STATUS_CACHE);
  } catch {
    // cache storage unavailable (e.g. private mode): nothing was cached then
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Already signed out or the gateway is unreachable: the local state is cleared either way.
  }
  await clearLocalSession();
  window.dispatchEvent(new CustomEvent('oc-session-ended'));
  Router.go('/login');
}
