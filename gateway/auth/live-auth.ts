// Authenticates a WebSocket upgrade the same way as HTTP: the signed session cookie, or `?token=`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Cookies from 'cookies';
import type { Services } from '../http/services.js';
import type { Principal } from './principal.js';
import type { SessionStore } from './session-store.js';

export function liveAuthenticator(s: Services, store: SessionStore, cookieKeys: string[], cookieName: string) {
  return async function authenticateUpgrade(req: IncomingMessage): Promise<Principal | null> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = url.searchParams.get('token');
    if (token) return s.tokens.authenticate(token);
    // Cookies only reads here; it needs a response object but never writes to it.
    const cookies = new Cookies(req, {} as ServerResponse, { keys: cookieKeys });
    const key = cookies.get(cookieName, { signed: true });
    if (!key) return null;
    const data = store.peek(key, true);
    const username = typeof data?.username === 'string' ? data.username : null;
    const user = username ? s.users.get(username) : undefined;
    if (!user || user.disabled) return null;
    return { kind: 'session', id: `user:${user.username}`, username: user.username, role: user.role, scope: 'api', sessionId: key };
  };
}
