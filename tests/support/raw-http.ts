// One HTTP request with full control of what fetch() keeps to itself: the Host header and the source address
// (any 127.x.y.z on Linux loopback), so tests can be a second client machine or a page on a rebound DNS name.
import http from 'node:http';
import type { Reply } from './test-gateway.js';

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Source address of the connection, e.g. '127.0.0.2'. */
  from?: string;
}

export function rawRequest<T = any>(base: string, pathname: string, o: RawRequest = {}): Promise<Reply<T>> {
  const url = new URL(pathname, base);
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...o.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: o.method ?? 'GET', headers, localAddress: o.from, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON; keep the text
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: body as T, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A sign-in attempt from a given source address (and with any extra headers, e.g. X-Forwarded-For), as a script: no Origin. */
export function loginFrom(base: string, username: string, password: string, from?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return rawRequest(base, '/api/auth/login', { method: 'POST', body: { username, password }, from, headers });
}
