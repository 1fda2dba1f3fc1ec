// Slows password guessing (rate-limiter-flexible). An attempt takes its point *before* the password check, so
// parallel guesses cannot all pass before the first failure is counted; a right password gives it back.
// Past a limit the sign-in answers 429 with Retry-After, whether or not the password is right.
import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '../http/api-error.js';

export interface LoginThrottleOptions {
  /** Failures per (username, address) pair: a guesser locks out only their own pair. */
  perUserIp?: number;
  /** Failures per address across usernames: against spraying; high enough for an office behind one NAT. */
  perIp?: number;
  /** Failures per username across addresses: bounds guessing spread over many addresses; 0 = no ceiling. */
  perUser?: number;
  windowSeconds?: number;
}

export interface LoginAttempt {
  /** The password was right: the attempt's points are given back, so only failures stay counted. */
  succeeded(): Promise<void>;
}

interface Counter {
  limiter: RateLimiterMemory;
  key(username: string, address: string): string;
  message: string;
}

export class LoginThrottle {
  readonly #counters: Counter[];

  constructor(o: LoginThrottleOptions = {}) {
    const duration = o.windowSeconds ?? 15 * 60;
    const limiter = (keyPrefix: string, points: number) => new RateLimiterMemory({ keyPrefix, points, duration, blockDuration: duration });
    this.#counters = [
      {
        limiter: limiter('login-user-ip', o.perUserIp ?? 5),
        key: (username, address) => `${address} ${username}`,
        message: 'Too many failed sign-in attempts for this user from your address',
      },
      {
        limiter: limiter('login-ip', o.perIp ?? 100),
        key: (_username, address) => address,
        message: 'Too many failed sign-in attempts from your address',
      },
    ];
    const perUser = o.perUser ?? 50;
    if (perUser > 0) {
      this.#counters.push({
        limiter: limiter('login-user', perUser),
        key: (username) => username,
        message: 'Too many failed sign-in attempts for this user',
      });
    }
  }

  /**
   * Takes one point from every counter, or none: a refused attempt gives back what it took, so attempts
   * refused at the pair's limit do not use up the address's or the username's ceiling. Throws 429.
   */
  async begin(username: string, ip: string): Promise<LoginAttempt> {
    const user = username.toLowerCase();
    const address = throttleAddress(ip);
    const taken: Array<{ limiter: RateLimiterMemory; key: string }> = [];
    const giveBack = async () => {
      await Promise.all(taken.map((t) => t.limiter.reward(t.key, 1)));
    };
    for (const counter of this.#counters) {
      const key = counter.key(user, address);
      try {
        await counter.limiter.consume(key, 1);
        taken.push({ limiter: counter.limiter, key });
      } catch (res) {
        await giveBack();
        if (!(res instanceof RateLimiterRes)) throw res;
        const wait = res.msBeforeNext / 1000;
        throw tooManyRequests(wait, `${counter.message}; try again in ${Math.ceil(wait)} s.`);
      }
    }
    return { succeeded: giveBack };
  }
}

/**
 * The address a throttle counts: IPv4 as is (IPv4-mapped IPv6 too); IPv6 by its /64, the block one site or
 * one customer line gets, so cycling through the addresses of one's own block does not reset the counters.
 */
export function throttleAddress(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail] = bare.toLowerCase().split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const width = (parts: string[]) => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0);
  const front = groups(head);
  const back = groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(front) - width(back)).fill('0');
  const prefix = [...front, ...zeros, ...back].slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
