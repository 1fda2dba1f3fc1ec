// A JSON file read whole and written whole, durably: temp file + fsync + rename + directory fsync, so a
// crash or power cut leaves either the old content or the new one, never an empty or half-written file.
// Used as the lowdb adapter of db.json and for sessions.json.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * V8 quotes a few characters of the input around a JSON syntax error ("Unexpected token 'x', ...\"csrfToken\":x..."
 * is not valid JSON"): these files hold hashes and CSRF tokens, and the message is logged, so keep only the token.
 */
function withoutQuotedInput(message: string): string {
  const m = /^(Unexpected token .+?), (?:"|\.\.\.").*is not valid JSON$/s.exec(message);
  return m ? m[1]! : message;
}

/** Makes the rename itself durable; some filesystems refuse fsync on a directory, which is harmless. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: the data file itself is already fsync'd
  } finally {
    await handle?.close();
  }
}

/**
 * lowdb adapter with the durability steno lacks: steno renames without fsync, so a power cut could
 * leave an empty file behind the new name. `shapeProblem` says why parsed JSON is not a T (null: it is).
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #tempFile: string;
  readonly #shapeProblem: (value: unknown) => string | null;

  constructor(file: string, shapeProblem: (value: unknown) => string | null) {
    this.#file = file;
    // One fixed temp name is enough: writes are serialised, and a leftover from a crash is overwritten.
    this.#tempFile = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    this.#shapeProblem = shapeProblem;
  }

  /** null when the file does not exist; throws when it cannot be read, is not JSON or has the wrong shape. */
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`invalid JSON (${withoutQuotedInput((err as Error).message)})`);
    }
    const problem = this.#shapeProblem(parsed);
    if (problem) throw new Error(`unexpected shape: ${problem}`);
    return parsed as T;
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 2) + '\n';
    try {
      // 0600: these files hold password, token and session hashes. The mode of open() applies only to a
      // file it creates; a temp file left behind keeps its own, which the rename would carry to the target.
      const handle = await fs.open(this.#tempFile, 'w', 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(this.#tempFile, this.#file);
    } catch (err) {
      await fs.rm(this.#tempFile, { force: true }).catch(() => undefined);
      throw err;
    }
    await fsyncDir(path.dirname(this.#file));
  }
}
