// The one rule for what a request says about its client behind proxies (X-Forwarded-For/-Proto/-Host):
// used by Koa (ctx.ip, ctx.protocol, ctx.host), the live hub's upgrade checks, the throttle and the audit.
import type { IncomingMessage } from 'node:http';
import type { Request as KoaRequest } from 'koa';

/** `hops` proxies in front of the gateway each append to X-Forwarded-*; 0 = no proxy is trusted. */
export interface ProxyTrust {
  hops: number;
}

export function proxyTrustOf(config: { trustProxy: boolean; trustProxyHops: number }): ProxyTrust {
  return { hops: config.trustProxy ? config.trustProxyHops : 0 };
}

/**
 * The entry our own outermost trusted proxy wrote: the `hops`-th from the right. Entries further left were
 * sent by the client and prove nothing; with fewer entries than hops the left-most is the best there is.
 */
export function trustedForwardedValue(header: string | string[] | undefined, hops: number): string | undefined {
  if (hops <= 0 || header === undefined) return undefined;
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  if (entries.length === 0) return undefined;
  return entries[Math.max(0, entries.length - hops)];
}

export function clientIp(req: IncomingMessage, trust: ProxyTrust): string {
  return trustedForwardedValue(req.headers['x-forwarded-for'], trust.hops) ?? req.socket.remoteAddress ?? '';
}

export function requestProtocol(req: IncomingMessage, trust: ProxyTrust): 'http' | 'https' {
  if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
  return trustedForwardedValue(req.headers['x-forwarded-proto'], trust.hops)?.toLowerCase() === 'https' ? 'https' : 'http';
}

/** The host the client addressed: the trusted proxy's X-Forwarded-Host when there is one, else Host. */
export function requestHost(req: IncomingMessage, trust: ProxyTrust): string | undefined {
  return trustedForwardedValue(req.headers['x-forwarded-host'], trust.hops) ?? req.headers.host;
}

/**
 * Makes Koa's ctx.ip, ctx.ips, ctx.protocol (so ctx.secure and Secure cookies) and ctx.host follow the rule
 * above. Koa's own getters take the left-most X-Forwarded-Proto and X-Forwarded-Host, which a client can set.
 */
export function applyProxyTrust(app: { proxy: boolean; maxIpsCount: number; request: object }, trust: ProxyTrust): void {
  app.proxy = trust.hops > 0;
  app.maxIpsCount = trust.hops;
  Object.defineProperties(app.request, {
    ip: {
      configurable: true,
      get(this: KoaRequest) {
        return clientIp(this.req, trust);
      },
    },
    protocol: {
      configurable: true,
      get(this: KoaRequest) {
        return requestProtocol(this.req, trust);
      },
    },
    host: {
      configurable: true,
      get(this: KoaRequest) {
        return requestHost(this.req, trust) ?? '';
      },
    },
  });
}
