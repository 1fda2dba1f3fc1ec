// The search cursor: for each file still holding unreturned hits, its identity (path, device, inode),
// the offset below which nothing was returned yet, and its time bound; plus a hash of the query, so a
// cursor is refused for any other query.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../../http/api-error.js';

export interface CursorFile {
  /** Path when the page was made (a rotated file is found again by device and inode). */
  p: string;
  d: number;
  i: number;
  /** Entries starting below this offset are not returned yet. */
  e: number;
  /** No entry below `e` is newer than this (epoch ms). */
  b: number;
}

export interface SearchCursor {
  v: 1;
  h: string;
  f: CursorFile[];
}

const cursorSchema = z.object({
  v: z.literal(1),
  h: z.string().regex(/^[0-9a-f]{16}$/),
  f: z.array(z.object({
    p: z.string().min(1).max(4096),
    d: z.number().int().nonnegative(),
    i: z.number().int().nonnegative(),
    e: z.number().int().nonnegative(),
    b: z.number().finite(),
  })).max(10_000),
});

export interface QueryIdentity {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  level: string | null;
  sources: string[] | null;
  from: number | null;
  to: number | null;
}

export function queryHash(query: QueryIdentity): string {
  const canonical = JSON.stringify([query.q, query.regex, query.caseSensitive, query.level, query.sources ? [...query.sources].sort() : null, query.from, query.to]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

const invalid = (why: string): ApiError => new ApiError(400, 'invalid_cursor', `The cursor cannot be used: ${why}. Start the search again without a cursor.`);

export function decodeCursor(text: string, expectedHash: string): SearchCursor {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('it is not a cursor this server made');
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) throw invalid('it is not a cursor this server made');
  if (parsed.data.h !== expectedHash) throw invalid('it was made for a different query');
  return parsed.data as SearchCursor;
}
