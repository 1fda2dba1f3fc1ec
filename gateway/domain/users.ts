// User accounts: create, change role/password/disabled, delete; never leaves the system without an admin.
import type { Db, UserRecord } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { Role } from '../auth/role.js';
import { ApiError, conflict, notFound } from '../http/api-error.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';

export interface PublicUser {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
  /** Present (true) until the user replaces a generated first password. */
  mustChangePassword?: true;
}

export interface UserChanges {
  role?: Role;
  password?: string;
  disabled?: boolean;
}

export const toPublicUser = ({ passwordHash: _hash, ...rest }: UserRecord): PublicUser => rest;

function isLastAdmin(users: readonly UserRecord[], username: string): boolean {
  const admins = users.filter((u) => u.role === 'admin' && !u.disabled);
  return admins.length === 1 && admins[0]!.username === username;
}

export interface UserServiceOptions {
  /** Called once a generated first password is no longer in use (replaced, or its account deleted). */
  onFirstPasswordRetired?: () => Promise<void>;
}

export class UserService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly bcryptCost: number,
    private readonly o: UserServiceOptions = {},
  ) {}

  list(): PublicUser[] {
    return this.db.read().users.map(toPublicUser);
  }

  get(username: string): UserRecord | undefined {
    return this.db.read().users.find((u) => u.username === username);
  }

  async create(input: { username: string; password: string; role: Role; mustChangePassword?: boolean }): Promise<PublicUser> {
    if (this.get(input.username)) throw conflict('user_exists', `A user named "${input.username}" already exists.`);
    const passwordHash = await hashPassword(input.password, this.bcryptCost);
    const now = new Date(this.clock.now()).toISOString();
    const record: UserRecord = {
      username: input.username, role: input.role, passwordHash, disabled: false, createdAt: now, updatedAt: now, passwordChangedAt: now,
      ...(input.mustChangePassword ? { mustChangePassword: true } : {}),
    };
    return this.db.update((d) => {
      // Checked again inside the serialised update: two concurrent creates must not both succeed.
      if (d.users.some((u) => u.username === input.username)) throw conflict('user_exists', `A user named "${input.username}" already exists.`);
      d.users.push(record);
      return toPublicUser(record);
    });
  }

  async update(username: string, changes: UserChanges): Promise<PublicUser> {
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password, this.bcryptCost);
    const now = new Date(this.clock.now()).toISOString();
    let retired = false;
    const updated = await this.db.update((d) => {
      const user = d.users.find((u) => u.username === username);
      if (!user) throw notFound(`No user named "${username}".`);
      const losesAdmin = (changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true;
      if (losesAdmin && user.role === 'admin' && isLastAdmin(d.users, username)) {
        throw conflict('last_admin', 'This is the only enabled admin; make another admin first.');
      }
      if (changes.role !== undefined) user.role = changes.role;
      if (changes.disabled !== undefined) user.disabled = changes.disabled;
      if (passwordHash !== undefined) {
        user.passwordHash = passwordHash;
        user.passwordChangedAt = now;
        retired = user.mustChangePassword === true;
        delete user.mustChangePassword;
      }
      user.updatedAt = now;
      return toPublicUser(user);
    });
    if (retired) await this.#retireFirstPassword();
    return updated;
  }

  async remove(username: string): Promise<void> {
    let retired = false;
    await this.db.update((d) => {
      const index = d.users.findIndex((u) => u.username === username);
      if (index < 0) throw notFound(`No user named "${username}".`);
      if (d.users[index]!.role === 'admin' && isLastAdmin(d.users, username)) {
        throw conflict('last_admin', 'This is the only enabled admin; make another admin first.');
      }
      retired = d.users[index]!.mustChangePassword === true;
      d.users.splice(index, 1);
    });
    if (retired) await this.#retireFirstPassword();
  }

  // The change is saved already; a file that cannot be removed now is removed at the next start.
  async #retireFirstPassword(): Promise<void> {
    await this.o.onFirstPasswordRetired?.().catch(() => undefined);
  }

  /** Checks credentials; the same answer (null) for an unknown user, a disabled one and a wrong password. */
  async verify(username: string, password: string): Promise<UserRecord | null> {
    const user = this.get(username);
    const ok = await verifyPassword(password, user?.passwordHash, this.bcryptCost);
    return ok && user && !user.disabled ? user : null;
  }
}

export class InvalidCredentialsError extends ApiError {
  constructor() {
    super(401, 'invalid_credentials', 'Wrong username or password.');
  }
}
