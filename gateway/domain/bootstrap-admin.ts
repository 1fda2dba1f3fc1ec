// First start: with no users at all, create `admin`. With DASHBOARD_ADMIN_PASSWORD the operator chose its
// password; otherwise a random one goes into DATA_DIR/first-admin-password (0600, never printed or logged), and
// the account must change it at the first sign-in, which removes the file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { UserService } from './users.js';

export const FIRST_ADMIN_USERNAME = 'admin';
const FILE_NAME = 'first-admin-password';

export type FirstAdmin =
  | { username: string; passwordFrom: 'configured' }
  /** `created`: made by this start (false: made earlier, its password still unchanged). */
  | { username: string; passwordFrom: 'file'; file: string; created: boolean };

export function firstAdminPasswordFile(dataDir: string): string {
  return path.join(dataDir, FILE_NAME);
}

/** Removes the file once its password is no longer the admin's (changed, or the account deleted). */
export async function removeFirstAdminPasswordFile(dataDir: string): Promise<void> {
  await fs.rm(firstAdminPasswordFile(dataDir), { force: true });
}

async function writeOwnerOnly(file: string, text: string): Promise<void> {
  // A fresh file: an old one (or a link planted in its place) could carry a wider mode or point elsewhere.
  await fs.rm(file, { force: true });
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function ensureFirstAdmin(users: UserService, o: { dataDir: string; configuredPassword?: string }): Promise<FirstAdmin | null> {
  const file = firstAdminPasswordFile(o.dataDir);
  const all = users.list();
  if (all.length > 0) {
    const pending = all.find((u) => u.mustChangePassword);
    if (pending) {
      const kept = await fs.stat(file).then(() => true, () => false);
      return kept ? { username: pending.username, passwordFrom: 'file', file, created: false } : null;
    }
    await fs.rm(file, { force: true }); // left behind by a change made while the file could not be removed
    return null;
  }
  if (o.configuredPassword) {
    await users.create({ username: FIRST_ADMIN_USERNAME, password: o.configuredPassword, role: 'admin' });
    return { username: FIRST_ADMIN_USERNAME, passwordFrom: 'configured' };
  }
  // 18 random bytes: 24 characters, far inside the password policy.
  const password = randomBytes(18).toString('base64url');
  await fs.mkdir(o.dataDir, { recursive: true });
  await writeOwnerOnly(file, `${password}\n`);
  try {
    await users.create({ username: FIRST_ADMIN_USERNAME, password, role: 'admin', mustChangePassword: true });
  } catch (err) {
    await fs.rm(file, { force: true }); // a password for an account that does not exist would only mislead
    throw err;
  }
  return { username: FIRST_ADMIN_USERNAME, passwordFrom: 'file', file, created: true };
}
