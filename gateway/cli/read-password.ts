// Reads a new password for `npm run user`: on a terminal through @inquirer/password (masked, checked against the
// policy as it is entered, asked twice and compared), otherwise all of standard input less one trailing line break
// (`--password-stdin`, for scripts). A pasted password with its line break is read whole, without the break.
import password from '@inquirer/password';
import { passwordProblems } from '../domain/password-policy.js';

const ATTEMPTS = 3;

export class PasswordEntryCancelled extends Error {
  constructor() {
    super('Cancelled; nothing was changed.');
    this.name = 'PasswordEntryCancelled';
  }
}

/** Everything on standard input, less exactly one trailing "\n" or "\r\n" (a password may end in spaces). */
export async function readPasswordFromStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk as string;
  return text.replace(/\r?\n$/, '');
}

async function ask(message: string, validate?: (value: string) => true | string): Promise<string> {
  try {
    return await password({ message, mask: '*', ...(validate ? { validate } : {}) });
  } catch (err) {
    // Ctrl-C or a closed terminal (@inquirer/core's ExitPromptError, named, as that package is not ours to import).
    if ((err as Error).name === 'ExitPromptError' || (err as Error).name === 'AbortPromptError') throw new PasswordEntryCancelled();
    throw err;
  }
}

/** Asks on the terminal until the same valid password is entered twice (at most three pairs). */
async function askTwice(forWhom: string): Promise<string> {
  const policy = (value: string) => {
    const problems = passwordProblems(value);
    return problems.length === 0 ? true : `Needs ${problems.join('; ')}.`;
  };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const first = await ask(`New password for ${forWhom}:`, policy);
    const second = await ask('The same password again:');
    if (first === second) return first;
    process.stderr.write(attempt < ATTEMPTS ? 'The two passwords differ; once more.\n' : '');
  }
  throw new Error(`The two passwords differed ${ATTEMPTS} times; nothing was changed.`);
}

export function readNewPassword(forWhom: string, fromStdin: boolean): Promise<string> {
  return fromStdin || !process.stdin.isTTY ? readPasswordFromStdin() : askTwice(forWhom);
}
