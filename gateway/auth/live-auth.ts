// Authenticates a WebSocket upgrade the same way as HTTP: the signed session cookie, or `?token=`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Cookies from 'cookies';
import type { Services } from '../http/services.js';
import type { Principal } from './principal.js';
import type { SessionStore } from './session-store.js';
import type { CookieSigner } from './cookie-signer.js';

const DISCARD_RESPONSE = { getHeader: () => undefined, setHeader: () => undefined } as unknown as ServerResponse;

export function liveAuthenticator(s: Services, store: SessionStore, signer: CookieSigner, cookieName: string) {
  return async function authenticateUpgrade(req: IncomingMessage): Promise<Principal | null> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = url.searchParams.get('token');
    if (token) {
      // Ingest tokens may only post events (API.md); the live hub is for 'api' principals.
      const principal = s.tokens.authenticate(token);
      return principal?.scope === 'api' ? principal : null;
    }
    // Cookies writes to the response when a signature is wrong (to clear it) or made with an older key;
    // an upgrade has no HTTP response yet, so those writes are discarded instead of throwing.
    const cookies = new Cookies(req, DISCARD_RESPONSE, { keys: signer as unknown as string[] });
    const key = cookies.get(cookieName, { signed: true });
    if (!key) return null;
    const data = store.peek(key, true);
    const username = typeof data?.username === 'string' ? data.username : null;
    const user = username ? s.users.get(username) : undefined;
    // A user who must still replace a generated first password gets no live data either (HTTP answers 403).
    if (!user || user.disabled || user.mustChangePassword) return null;
    return { kind: 'session', id: `user:${user.username}`, username: user.username, role: user.role, scope: 'api', sessionId: key };
  };
}
