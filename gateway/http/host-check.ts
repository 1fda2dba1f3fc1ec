// Answers only to host names that are ours (DNS rebinding defence): IP literals, localhost, the host of
// PUBLIC_ORIGIN and ALLOWED_HOSTS. A page on a rebound name reaches us with its own name in Host.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Next } from 'koa';
import type { Ctx } from './services.js';
import { ApiError } from './api-error.js';
import { trustedForwardedValue, type ProxyTrust } from './proxy-trust.js';

const MAX_REMEMBERED_HOSTS = 256;

export interface HostPolicy {
  /** The host names the request names (Host, and a trusted proxy's X-Forwarded-Host) are all ours. */
  admits(req: IncomingMessage): boolean;
}

export function hostPolicy(o: { publicOrigin?: string; allowedHosts: readonly string[]; trust: ProxyTrust }): HostPolicy {
  const names = new Set(['localhost', ...o.allowedHosts.map((h) => h.toLowerCase())]);
  if (o.publicOrigin) names.add(new URL(o.publicOrigin).hostname.toLowerCase());
  const check = (host: string | undefined): boolean => {
    const name = hostNameOf(host);
    return name !== null && (isIP(name) !== 0 || names.has(name));
  };
  // Every request asks about the same few Host values: remember the answers (a bounded set, since the
  // client chooses the value) instead of parsing each one again.
  const answers = new Map<string, boolean>();
  const ours = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    let answer = answers.get(host);
    if (answer === undefined) {
      answer = check(host);
      if (answers.size >= MAX_REMEMBERED_HOSTS) answers.clear();
      answers.set(host, answer);
    }
    return answer;
  };
  return {
    admits(req) {
      if (!ours(req.headers.host)) return false;
      // Behind a proxy both count: the Host the proxy sent and the one it says the client asked for (a page
      // on a rebound name can set X-Forwarded-Host itself when the proxy passes it through).
      const forwarded = trustedForwardedValue(req.headers['x-forwarded-host'], o.trust.hops);
      return forwarded === undefined || ours(forwarded);
    },
  };
}

/** The bare, lower-case host name of a Host value (port and IPv6 brackets removed); null when it is malformed. */
export function hostNameOf(host: string | undefined): string | null {
  if (!host || /[\s@/\\?#]/.test(host)) return null;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return null;
  }
  const name = url.hostname.replace(/\.$/, '');
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
}

/** Liveness stays outside: PM2 and load balancers probe it under any name, and it reveals nothing. */
export function hostCheck(policy: HostPolicy) {
  return async function checkHost(ctx: Ctx, next: Next): Promise<void> {
    if (ctx.path === '/healthz' || policy.admits(ctx.req)) return next();
    throw hostRefusal();
  };
}

export function hostRefusal(): ApiError {
  return new ApiError(
    421,
    'host_not_allowed',
    'This server does not answer to that host name. If it is yours, add it to ALLOWED_HOSTS (or set PUBLIC_ORIGIN).',
  );
}
