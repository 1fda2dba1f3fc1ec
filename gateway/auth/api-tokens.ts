// API token secrets: `oc_<id>_<secret>`; only a SHA-256 of the secret is stored. Tokens are 256-bit random,
// so a fast hash is safe here (bcrypt per request would cap throughput for no gain).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuedToken {
  id: string;
  token: string;
  hash: string;
  prefix: string;
}

export function issueToken(): IssuedToken {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const token = `oc_${id}_${secret}`;
  return { id, token, hash: hashSecret(secret), prefix: token.slice(0, 12) };
}

export function parseToken(raw: string): { id: string; secret: string } | null {
  const m = /^oc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(raw);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
