// THE access table: every HTTP route with its minimum role (or public), token scopes and audit action.
// Authorisation is enforced from here alone, and the tests walk this table for every role.
import type { Access, Scope } from '../auth/access.js';
import type { Handler } from '../http/services.js';
import * as auth from './auth-routes.js';
import * as users from './user-routes.js';
import * as tokens from './token-routes.js';
import * as status from './status-routes.js';
import * as audit from './audit-routes.js';
import { AGENT_ROUTES } from './agent-routes.js';
import { INGEST_ROUTES } from './ingest-routes.js';
import { SCHEDULE_ROUTES } from './schedule-routes.js';
import { OPERATIONS_ROUTES } from './operations-routes.js';
import { LOG_ROUTES } from './log-routes.js';
import { LOG_DIGEST_ROUTES } from './log-digest-routes.js';
import { LOG_SEARCH_ROUTES } from './log-search-routes.js';
import { WEBHOOK_ROUTES } from './webhook-routes.js';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  access: Access;
  /** Token scopes allowed (sessions count as 'api'); default ['api']. */
  scopes?: Scope[];
  /** Minimum role per scope where it differs from `access` (ingest tokens: any role, see POST /api/ingest/events). */
  scopeAccess?: Partial<Record<Scope, Access>>;
  /** Audit action name; every state-changing route has one. */
  audit?: string;
  /** Open to a session that must still replace a generated first password (every other route answers 403). */
  allowsPendingPasswordChange?: true;
  handler: Handler;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/healthz', access: 'public', handler: status.liveness },
  { method: 'GET', path: '/api/health', access: 'viewer', handler: status.health },
  { method: 'GET', path: '/api/metrics/system', access: 'viewer', handler: status.systemHistory },

  { method: 'POST', path: '/api/auth/login', access: 'public', audit: 'auth.login', handler: auth.login },
  { method: 'POST', path: '/api/auth/logout', access: 'viewer', audit: 'auth.logout', allowsPendingPasswordChange: true, handler: auth.logout },
  { method: 'GET', path: '/api/auth/me', access: 'viewer', allowsPendingPasswordChange: true, handler: auth.me },
  { method: 'GET', path: '/api/auth/session', access: 'public', allowsPendingPasswordChange: true, handler: auth.session },
  { method: 'POST', path: '/api/auth/password', access: 'viewer', audit: 'auth.password', allowsPendingPasswordChange: true, handler: auth.changeOwnPassword },

  { method: 'GET', path: '/api/users', access: 'admin', handler: users.listUsers },
  { method: 'POST', path: '/api/users', access: 'admin', audit: 'user.create', handler: users.createUser },
  { method: 'PATCH', path: '/api/users/:username', access: 'admin', audit: 'user.update', handler: users.patchUser },
  { method: 'DELETE', path: '/api/users/:username', access: 'admin', audit: 'user.delete', handler: users.deleteUser },

  { method: 'GET', path: '/api/tokens', access: 'admin', handler: tokens.listTokens },
  { method: 'POST', path: '/api/tokens', access: 'admin', audit: 'token.create', handler: tokens.createToken },
  { method: 'DELETE', path: '/api/tokens/:id', access: 'admin', audit: 'token.revoke', handler: tokens.revokeToken },

  { method: 'GET', path: '/api/processes', access: 'viewer', handler: status.listProcesses },
  { method: 'POST', path: '/api/processes/:name/:op', access: 'operator', audit: 'process.action', handler: status.processAction },

  { method: 'GET', path: '/api/audit', access: 'admin', handler: audit.listAudit },

  // Each file below keeps its rows next to its handlers; the rows obey the same rules as the ones above.
  ...AGENT_ROUTES,
  ...INGEST_ROUTES,
  ...SCHEDULE_ROUTES,
  ...OPERATIONS_ROUTES,
  ...LOG_ROUTES,
  ...LOG_DIGEST_ROUTES,
  ...LOG_SEARCH_ROUTES,
  ...WEBHOOK_ROUTES,
];
