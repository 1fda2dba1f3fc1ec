// Which encoding of a precompressed file to send: Negotiator weighs the q-values of Accept-Encoding
// ("br;q=0" refuses brotli, "gzip, br;q=0.5" prefers gzip) and on a tie our order decides, br first (a
// browser's "gzip, deflate, br" lists gzip first; Koa's own negotiator would take that order).
// Nothing acceptable ("identity;q=0" alone) or an unreadable header: the plain bytes, as most servers do.
import type { Context } from 'koa';
import Negotiator from 'negotiator';

export type FileEncoding = 'br' | 'gzip' | 'identity';
const ENCODINGS: readonly FileEncoding[] = ['br', 'gzip', 'identity'];

// negotiator 1.x takes the server's preference for ties; @types/negotiator still describes 0.6.
type PreferringEncoding = (this: Negotiator, available: readonly string[], options: { preferred: readonly string[] }) => string | undefined;

export function preferredEncoding(ctx: Context): FileEncoding {
  const negotiator = new Negotiator(ctx.req);
  const chosen = (negotiator.encoding as PreferringEncoding).call(negotiator, ENCODINGS, { preferred: ENCODINGS });
  return chosen === 'br' || chosen === 'gzip' ? chosen : 'identity';
}
