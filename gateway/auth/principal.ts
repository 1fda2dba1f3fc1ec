// Who is making a request: a signed-in user (cookie session) or an API token (bearer).
import type { Role } from './role.js';

export interface Principal {
  kind: 'session' | 'token';
  /** Stable id used for rate limiting and audit: `user:<name>` or `token:<id>`. */
  id: string;
  username: string;
  role: Role;
  sessionId?: string;
  tokenId?: string;
  /** Token scope; sessions are always 'api'. */
  scope: 'api' | 'ingest';
  /** A session of a user who must replace a generated first password before anything else. */
  mustChangePassword?: true;
}
