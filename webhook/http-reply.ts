// Small HTTP helpers shared by the webhook's handlers: JSON replies in the API error shape and the
// optional bearer-token check (constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A connect-style handler, usable from Express (`app.use(h)`) or a plain http server. */
export type ConnectHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message, ...(details === undefined ? {} : { details }) } }, headers);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when no token is configured, or the request carries `Authorization: Bearer <token>`. */
export function bearerOk(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  // Hashing both sides gives equal lengths, so the comparison itself leaks nothing.
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

export function sendUnauthorized(res: ServerResponse): void {
  sendError(res, 401, 'unauthorized', 'A valid "Authorization: Bearer <WEBHOOK_TOKEN>" header is required.', undefined, { 'www-authenticate': 'Bearer' });
}
