// Security headers from helmet; the CSP allows no inline script (the client ships none).
// Nothing in them depends on the request (no nonces), so helmet runs once, against a response that only
// records what it sets, and each request then sets the recorded headers: the same headers without helmet's
// chain of a dozen middlewares (and a promise) on every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next } from 'koa';
import helmet from 'helmet';
import type { Ctx } from './services.js';

const policy = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Lit and Shoelace set style attributes from script; no inline <script> is allowed.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // Plain-HTTP LAN installs are common; forcing https upgrades would break them.
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});

export interface RecordedHeaders {
  set: ReadonlyArray<readonly [string, string]>;
  removed: readonly string[];
}

/** What helmet does to a response, recorded once. */
export function recordSecurityHeaders(): RecordedHeaders {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let failure: unknown = null;
  let finished = false;
  policy({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err ?? null;
    finished = true;
  });
  if (!finished || failure) throw new Error(`helmet did not finish synchronously: ${String(failure)}`);
  return { set, removed };
}

export function securityHeaders() {
  const { set, removed } = recordSecurityHeaders();
  return function setSecurityHeaders(ctx: Ctx, next: Next): Promise<void> {
    const res = ctx.res;
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    return next();
  };
}
