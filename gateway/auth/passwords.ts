// Password hashing with bcrypt's async API, which runs in libuv's thread pool, so the event loop never blocks.
import bcrypt from 'bcrypt';

// A real hash of a random string: comparing against it costs the same as a real user's check,
// so a missing user and a wrong password take the same time.
let dummyHash: Promise<string> | null = null;

export function hashPassword(plain: string, cost: number): Promise<string> {
  return bcrypt.hash(plain, cost);
}

export async function verifyPassword(plain: string, hash: string | undefined, cost: number): Promise<boolean> {
  if (!hash) {
    dummyHash ??= bcrypt.hash(`no-such-user-${Math.random()}`, cost);
    await bcrypt.compare(plain, await dummyHash);
    return false;
  }
  return bcrypt.compare(plain, hash);
}

export const PASSWORD_MIN_LENGTH = 8;
