// The password policy (gateway/domain/password-policy.ts) on its own and where the configuration applies it:
// minimum length in characters, the common-password list (any case), bcrypt's 72-byte limit, no control
// characters; DASHBOARD_ADMIN_PASSWORD refused with a message that names the variable, never the value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { passwordProblems, PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from '../../gateway/domain/password-policy.js';
import { ConfigError, loadConfig } from '../../gateway/config.js';

const configError = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig({ DATA_DIR: '/tmp/oc-policy-unused', ...env }, '/nonexistent-cwd-without-dotenv');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(env)}`);
};

test('12 characters is the minimum, counted in characters, not bytes or UTF-16 units', () => {
  assert.is(PASSWORD_MIN_CHARS, 12);
  assert.equal(passwordProblems('x'.repeat(11) + '7'), []);
  assert.equal(passwordProblems('x'.repeat(10) + '7'), [`at least ${PASSWORD_MIN_CHARS} characters`]);
  // Eleven emoji are 44 bytes and 22 UTF-16 units, but eleven characters.
  assert.equal(passwordProblems('🚀'.repeat(11)), [`at least ${PASSWORD_MIN_CHARS} characters`]);
  assert.equal(passwordProblems('🚀'.repeat(12)), []);
});

test('a password from the common list is refused in any case; the existing test passwords are not on it', () => {
  for (const common of ['qwertyuiop12', 'QWERTYUIOP12', 'LeaveMeAlone', 'administrator']) {
    assert.ok(passwordProblems(common).includes('too common (on a list of leaked passwords); choose another'), common);
  }
  for (const fine of ['admin-password-1', 'password-123', 'bob-password-1', 'configured-pass-1', 'e2e-admin-password']) {
    assert.equal(passwordProblems(fine), [], fine);
  }
});

test('more than 72 UTF-8 bytes is refused, since bcrypt would ignore the rest; exactly 72 is accepted', () => {
  assert.is(PASSWORD_MAX_BYTES, 72);
  assert.equal(passwordProblems('a'.repeat(72)), []);
  assert.equal(passwordProblems(`${'a'.repeat(70)}é`), [], '70 + 2 bytes');
  assert.match(passwordProblems('a'.repeat(73)).join(), /at most 72 bytes/);
  assert.match(passwordProblems('é'.repeat(37)).join(), /at most 72 bytes/, '37 characters, 74 bytes');
});

test('a line break, a carriage return, a tab or a NUL anywhere is refused', () => {
  for (const bad of ['correct-horse-9\n', 'correct-horse-9\r', 'correct\thorse-9', 'correct\u0000horse-9']) {
    assert.equal(passwordProblems(bad), ['no control characters (such as a line break or a tab)'], JSON.stringify(bad));
  }
});

test('DASHBOARD_ADMIN_PASSWORD under the policy is a config error naming the variable and the rule, not the value', () => {
  for (const [value, rule] of [
    ['short-pw-1', /at least 12 characters/],
    ['Password1234', /too common/],
    ['é'.repeat(40), /at most 72 bytes/],
  ] as const) {
    const err = configError({ DASHBOARD_ADMIN_PASSWORD: value });
    assert.match(err.message, /DASHBOARD_ADMIN_PASSWORD/);
    assert.match(err.message, rule);
    assert.not.ok(err.message.includes(value), `the value is not echoed: ${err.message}`);
  }
  assert.is(loadConfig({ DATA_DIR: '/tmp/x', DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' }, '/nonexistent-cwd-without-dotenv').adminPassword, 'configured-pass-1');
});

test('no configuration error quotes the value it refused', () => {
  const sentinel = 'SNTL9f3c'; // invalid for every key below (too short for the secrets)
  const bad: Record<string, string> = {
    PORT: sentinel, TRUST_PROXY: sentinel, SESSION_SECRET: sentinel, LOG_LEVEL: sentinel, DASHBOARD_ADMIN_PASSWORD: sentinel,
    PUBLIC_ORIGIN: sentinel, SESSION_IDLE_MINUTES: sentinel, BCRYPT_COST: sentinel, DASHBOARD_INGEST_URL: sentinel,
    LOG_DIRS: sentinel, WEBHOOK_URL: sentinel, WEBHOOK_POLL_SECONDS: sentinel,
  };
  for (const [key, value] of Object.entries(bad)) {
    const err = configError({ [key]: value });
    assert.match(err.message, new RegExp(key), key);
    assert.not.ok(err.message.includes(sentinel), `${key}: ${err.message}`);
  }
});

test.run();
