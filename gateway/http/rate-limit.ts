// Whole-API rate limit per principal (user or token) or, when anonymous, per IP; 429 + Retry-After.
import type { Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from './api-error.js';
import type { Ctx } from './services.js';

// Agents post events in batches many times a second: the ingest route has its own, larger budget so
// a busy pipeline is not throttled by the limit meant for people and scripts.
export function rateLimit(perMinute: number, ingestPerMinute: number) {
  const limiter = new RateLimiterMemory({ keyPrefix: 'api', points: perMinute, duration: 60 });
  const ingestLimiter = new RateLimiterMemory({ keyPrefix: 'ingest', points: ingestPerMinute, duration: 60 });
  return async function limit(ctx: Ctx, next: Next): Promise<void> {
    if (!ctx.path.startsWith('/api/')) return next();
    const key = ctx.state.principal?.id ?? `ip:${ctx.ip}`;
    try {
      await (ctx.path.startsWith('/api/ingest/') ? ingestLimiter : limiter).consume(key, 1);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw tooManyRequests(res.msBeforeNext / 1000);
      throw res;
    }
    return next();
  };
}
