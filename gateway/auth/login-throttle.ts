// Slows password guessing: failures are counted per username and per IP (rate-limiter-flexible);
// past the limit the login answers 429 with Retry-After, whether or not the password is right.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '../http/api-error.js';

export interface LoginThrottleOptions {
  perUsername?: number;
  perIp?: number;
  windowSeconds?: number;
}

export class LoginThrottle {
  readonly #byUser: RateLimiterMemory;
  readonly #byIp: RateLimiterMemory;

  constructor(o: LoginThrottleOptions = {}) {
    const duration = o.windowSeconds ?? 15 * 60;
    this.#byUser = new RateLimiterMemory({ keyPrefix: 'login-user', points: o.perUsername ?? 5, duration, blockDuration: duration });
    this.#byIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: o.perIp ?? 30, duration, blockDuration: duration });
  }

  /** Throws 429 when either counter is exhausted. */
  async check(username: string, ip: string): Promise<void> {
    const [u, i] = await Promise.all([this.#byUser.get(username.toLowerCase()), this.#byIp.get(ip)]);
    const blocked = [u, i].filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0);
    if (blocked.length) {
      const wait = Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000;
      throw tooManyRequests(wait, `Too many failed sign-in attempts; try again in ${Math.ceil(wait)} s.`);
    }
  }

  async failed(username: string, ip: string): Promise<void> {
    await Promise.all([
      this.#byUser.penalty(username.toLowerCase(), 1),
      this.#byIp.penalty(ip, 1),
    ]);
  }

  async succeeded(username: string): Promise<void> {
    await this.#byUser.delete(username.toLowerCase());
  }
}
