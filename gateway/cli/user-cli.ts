// `npm run user -- <command>`: manage users and API tokens on the data directory directly, for a server
// that is down (or before the first start). Refuses while the gateway is running on the same data.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { systemClock } from '../clock.js';
import { openDb } from '../store/db.js';
import { UserService } from '../domain/users.js';
import { ApiTokenService } from '../domain/api-token-service.js';
import { removeFirstAdminPasswordFile } from '../domain/bootstrap-admin.js';
import { parseInput, passwordSchema, roleSchema, tokenNameSchema, usernameSchema } from '../domain/validation.js';
import { ApiError } from '../http/api-error.js';
import { PasswordEntryCancelled, readNewPassword } from './read-password.js';
import { runningGatewayPid } from './pid-file.js';

const USAGE = `Usage: npm run user -- <command> [options]
  list                                   list users
  add NAME --role viewer|operator|admin  create a user (asks for the password)
  passwd NAME                            set a new password
  disable NAME | enable NAME             stop / allow sign-in
  role NAME viewer|operator|admin        change the role
  delete NAME                            remove a user
  tokens                                 list API tokens
  token-add NAME --scope api|ingest [--role ROLE] [--expires ISO]
  token-revoke ID
Options: --password-stdin  read the password from standard input (one trailing line break is dropped);
                           without it a terminal asks for the password twice
         --force           run even while the gateway runs on this data directory — its next write may
                           undo the change; prefer the web UI or the API then`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      scope: { type: 'string' },
      expires: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const pid = runningGatewayPid(config.dataDir);
  if (pid && !values.force && !['list', 'tokens'].includes(command)) {
    console.error(`The gateway is running on this data directory (pid ${pid}); use the web UI or the API, or stop it first (--force to override).`);
    return 1;
  }
  const db = await openDb(path.join(config.dataDir, 'db.json'));
  const users = new UserService(db, systemClock, config.bcryptCost, { onFirstPasswordRetired: () => removeFirstAdminPasswordFile(config.dataDir) });
  const tokens = new ApiTokenService(db, systemClock);
  const name = () => parseInput(usernameSchema, args[0], 'username');
  // The policy again for the standard-input path (the terminal prompt already checks as it asks).
  const password = async (forWhom: string) => parseInput(passwordSchema, await readNewPassword(forWhom, values['password-stdin'] ?? false), 'password');

  switch (command) {
    case 'list':
      console.table(users.list());
      return 0;
    case 'add': {
      const role = parseInput(roleSchema, values.role, 'role');
      const username = name();
      if (users.get(username)) throw new ApiError(409, 'user_exists', `A user named "${username}" already exists.`);
      const u = await users.create({ username, role, password: await password(username) });
      console.log(`Created ${u.username} (${u.role}).`);
      return 0;
    }
    case 'passwd': {
      const username = name();
      if (!users.get(username)) throw new ApiError(404, 'not_found', `No user named "${username}".`);
      await users.update(username, { password: await password(username) });
      console.log(`Password of ${username} changed.`);
      return 0;
    }
    case 'disable':
    case 'enable':
      await users.update(name(), { disabled: command === 'disable' });
      console.log(`${args[0]} ${command}d.`);
      return 0;
    case 'role':
      await users.update(name(), { role: parseInput(roleSchema, args[1], 'role') });
      console.log(`${args[0]} is now ${args[1]}.`);
      return 0;
    case 'delete':
      await users.remove(name());
      console.log(`${args[0]} deleted.`);
      return 0;
    case 'tokens':
      console.table(tokens.list());
      return 0;
    case 'token-add': {
      const scope = values.scope === 'ingest' ? 'ingest' : values.scope === 'api' ? 'api' : null;
      if (!args[0] || !scope) throw new ApiError(400, 'validation_failed', 'token-add needs a NAME and --scope api|ingest.');
      const tokenName = parseInput(tokenNameSchema, args[0], 'token name');
      const role = values.role ? parseInput(roleSchema, values.role, 'role') : 'viewer';
      const created = await tokens.create({ name: tokenName, scope, role, ...(values.expires ? { expiresAt: values.expires } : {}) }, 'cli');
      console.log(`Token ${created.id} (${scope}, ${role}) — shown once, store it now:\n${created.token}`);
      return 0;
    }
    case 'token-revoke':
      await tokens.revoke(args[0] ?? '');
      console.log(`Token ${args[0]} revoked.`);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof PasswordEntryCancelled ? 130 : 1);
  },
);
