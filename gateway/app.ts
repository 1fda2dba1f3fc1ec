// createApp(deps): the whole Koa application, with every dependency passed in; listening is elsewhere.
import Koa from 'koa';
import session from 'koa-session';
import type { Services, AppState } from './http/services.js';
import type { SessionStore } from './auth/session-store.js';
import type { RouteSpec } from './routes/route-table.js';
import { ROUTES } from './routes/route-table.js';
import { errorHandler } from './http/error-handler.js';
import { securityHeaders } from './http/security-headers.js';
import { staticFiles } from './http/static-files.js';
import { apiCompression } from './http/api-compression.js';
import { authenticate } from './auth/authenticate.js';
import { rateLimit } from './http/rate-limit.js';
import { jsonBody } from './http/json-body.js';
import { buildRouter } from './http/router.js';
import { CookieSigner } from './auth/cookie-signer.js';
import { applyProxyTrust, proxyTrustOf } from './http/proxy-trust.js';
import { hostCheck, hostPolicy } from './http/host-check.js';

export const SESSION_COOKIE = 'oc.sid';

export interface AppDeps {
  services: Services;
  sessionStore: SessionStore;
  /** Signs the session cookie. */
  cookieSigner: CookieSigner;
  /** Built client (dist/public); may be absent in API-only tests. */
  staticDir?: string;
  routes?: readonly RouteSpec[];
}

export function createApp(deps: AppDeps): Koa<AppState> {
  const { services: s } = deps;
  const app = new Koa<AppState>();
  // Koa checks every response body against ReadableStream, Blob and Response; Node builds those globals (and the
  // fetch implementation behind them) on first use, which made the first JSON answer after a start slower.
  void [globalThis.ReadableStream, globalThis.Blob, globalThis.Response];
  const trust = proxyTrustOf(s.config);
  applyProxyTrust(app, trust);
  // Koa types app.keys as string[], but it accepts any Keygrip-compatible signer.
  (app as unknown as { keys: CookieSigner }).keys = deps.cookieSigner;

  app.on('error', (err: NodeJS.ErrnoException) => {
    // A client that aborts a download is not a server fault, so it is not logged.
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    s.logger.error({ err }, 'koa error');
  });

  app.use(errorHandler(s.logger));
  app.use(securityHeaders());
  app.use(hostCheck(hostPolicy({ publicOrigin: s.config.publicOrigin, allowedHosts: s.config.allowedHosts, trust })));
  if (deps.staticDir) app.use(staticFiles(deps.staticDir, { sessionCookie: SESSION_COOKIE }));
  app.use(apiCompression());
  app.use(
    session(
      {
        key: SESSION_COOKIE,
        maxAge: s.config.sessionAbsoluteMs,
        httpOnly: true,
        sameSite: 'strict',
        signed: true,
        rolling: false,
        renew: false,
        store: deps.sessionStore,
      },
      app as unknown as Koa,
    ),
  );
  app.use(authenticate(s));
  app.use(rateLimit(s.config.rateLimitPerMinute, s.config.ingestRateLimitPerMinute));
  app.use(jsonBody());
  const router = buildRouter(deps.routes ?? ROUTES, s);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
