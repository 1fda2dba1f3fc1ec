// Authenticates a WebSocket upgrade the same way as HTTP: `Authorization: Bearer` (scripts, agents) or the
// signed session cookie. A token in the URL is refused: URLs end up in proxy and server logs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Cookies from 'cookies';
import type { Services } from '../http/services.js';
import type { Principal } from './principal.js';
import type { SessionStore } from './session-store.js';
import type { CookieSigner } from './cookie-signer.js';
import { UpgradeRefusal } from '../hub/upgrade-refusal.js';

const DISCARD_RESPONSE = { getHeader: () => undefined, setHeader: () => undefined } as unknown as ServerResponse;

/** `?token=` is refused whatever else the request carries (and before the Origin check, so the answer says why). */
export function tokenInUrlRefusal(req: IncomingMessage): UpgradeRefusal | null {
  if (!new URL(req.url ?? '/', 'http://localhost').searchParams.has('token')) return null;
  return new UpgradeRefusal(
    401,
    'token_in_url',
    'API tokens are not accepted in the URL (URLs are logged). Send the header "Authorization: Bearer <token>" with the upgrade request.',
  );
}

export function liveAuthenticator(s: Services, store: SessionStore, signer: CookieSigner, cookieName: string) {
  return async function authenticateUpgrade(req: IncomingMessage): Promise<Principal | null> {
    const inUrl = tokenInUrlRefusal(req);
    if (inUrl) throw inUrl;
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = m ? s.tokens.authenticate(m[1]!) : null;
      if (!principal) throw new UpgradeRefusal(401, 'invalid_token', 'The API token is unknown, revoked, expired or malformed.');
      // Ingest tokens may only post events (docs/api.md); the live hub is for 'api' principals.
      if (principal.scope !== 'api') throw new UpgradeRefusal(403, 'token_scope', `A token with scope "${principal.scope}" cannot open a live connection.`);
      return principal;
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
