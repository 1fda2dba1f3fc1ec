// API tokens (scopes `api` and `ingest`): issued once, stored hashed, revocable, optionally expiring.
import type { Db, TokenRecord } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { Role } from '../auth/role.js';
import type { Principal } from '../auth/principal.js';
import { notFound } from '../http/api-error.js';
import { issueToken, parseToken, secretMatches } from '../auth/api-tokens.js';

export type PublicToken = Omit<TokenRecord, 'hash'>;

const LAST_USED_WRITE_INTERVAL_MS = 5 * 60_000;

export class ApiTokenService {
  readonly #lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(): PublicToken[] {
    return this.db.read().tokens.map(({ hash: _hash, ...rest }) => rest);
  }

  async create(input: { name: string; scope: 'api' | 'ingest'; role: Role; expiresAt?: string }, createdBy: string): Promise<{ id: string; token: string; record: PublicToken }> {
    const issued = issueToken();
    const record: TokenRecord = {
      id: issued.id,
      name: input.name,
      scope: input.scope,
      role: input.role,
      hash: issued.hash,
      prefix: issued.prefix,
      createdAt: new Date(this.clock.now()).toISOString(),
      createdBy,
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    };
    await this.db.update((d) => {
      d.tokens.push(record);
    });
    const { hash: _hash, ...pub } = record;
    return { id: issued.id, token: issued.token, record: pub };
  }

  async revoke(id: string): Promise<void> {
    await this.db.update((d) => {
      const index = d.tokens.findIndex((t) => t.id === id);
      if (index < 0) throw notFound(`No token with id "${id}".`);
      d.tokens.splice(index, 1);
    });
  }

  /** Resolves a bearer token to a principal, or null when unknown, revoked, expired or malformed. */
  authenticate(raw: string): Principal | null {
    const parsed = parseToken(raw);
    if (!parsed) return null;
    const record = this.db.read().tokens.find((t) => t.id === parsed.id);
    if (!record || !secretMatches(parsed.secret, record.hash)) return null;
    const now = this.clock.now();
    if (record.expiresAt && Date.parse(record.expiresAt) <= now) return null;
    this.#noteUse(record.id, now);
    return { kind: 'token', id: `token:${record.id}`, username: `token:${record.name}`, role: record.role, tokenId: record.id, scope: record.scope };
  }

  // lastUsedAt is informational; writing it on every request would rewrite the db file per request.
  #noteUse(id: string, now: number): void {
    const last = this.#lastUsedWritten.get(id) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.#lastUsedWritten.set(id, now);
    void this.db
      .update((d) => {
        const t = d.tokens.find((x) => x.id === id);
        if (t) t.lastUsedAt = new Date(now).toISOString();
      })
      .catch(() => undefined);
  }
}
