// The password policy, in one place for the API, the user CLI and DASHBOARD_ADMIN_PASSWORD: long enough, not
// a commonly used password, nothing bcrypt would silently ignore, nothing a sign-in form cannot type.
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Characters (code points), not bytes. 12 rather than 8: sign-in is single-factor and the dashboard can restart
 * the pipeline; throttling slows guessing online, but a copied db.json is attacked offline, where each character
 * multiplies the work. 12 is still typeable on a phone, and the common-password check refuses the long weak ones.
 */
export const PASSWORD_MIN_CHARS = 12;
/** bcrypt reads only the first 72 bytes: a longer password would be accepted with any ending. */
export const PASSWORD_MAX_BYTES = 72;

// A kept list of about 49,000 leaked passwords (lowercase); compared case-insensitively.
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/** Why a new password is refused (an empty list: it is fine). The messages never quote the password. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_CHARS) problems.push(`at least ${PASSWORD_MIN_CHARS} characters`);
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    problems.push(`at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores what comes after; accented letters take 2 bytes, emoji 4)`);
  }
  // A line break or tab cannot be typed into the sign-in form; from a script it is a leftover of the input.
  if (/\p{Cc}/u.test(password)) problems.push('no control characters (such as a line break or a tab)');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push('too common (on a list of leaked passwords); choose another');
  return problems;
}
