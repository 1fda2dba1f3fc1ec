// First start: with no users at all, create `admin` with DASHBOARD_ADMIN_PASSWORD or a random password
// that the caller prints once.
import { randomBytes } from 'node:crypto';
import type { UserService } from './users.js';

export async function ensureFirstAdmin(users: UserService, configuredPassword?: string): Promise<{ username: string; password: string; generated: boolean } | null> {
  if (users.list().length > 0) return null;
  const generated = !configuredPassword;
  const password = configuredPassword ?? randomBytes(12).toString('base64url');
  await users.create({ username: 'admin', password, role: 'admin' });
  return { username: 'admin', password, generated };
}
