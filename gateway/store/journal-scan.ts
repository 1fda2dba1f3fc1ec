// For worker tasks that fold a whole stream: every entry in order, page by page, with its place, and the
// lines that could not be used collected as issues (the reader's corrupt ones and those the task finds
// invalid), so the task can hand them back as `journalIssues` instead of skipping them silently.
import { readJournal, positionOf, MAX_PAGE_ISSUES, type JournalEntry, type JournalIssue, type JournalLocation, type JournalQuery } from './journal-reader.js';

/** Where the entry at hand sits; made only when asked for (most entries are fine). */
export type Where = () => JournalLocation;

/** The issues of one task, bounded: past the bound they are only counted. */
export class JournalIssues {
  readonly list: JournalIssue[] = [];
  /** Issues met beyond the bound (not listed, so not set aside this time). */
  more = 0;

  add(issue: JournalIssue): void {
    if (this.list.length < MAX_PAGE_ISSUES) this.list.push(issue);
    else this.more++;
  }

  /** An entry that parsed but is not what its stream holds, or could not be replayed. */
  invalid(stream: string, where: Where, reason: string): void {
    this.add({ stream, ...where(), kind: 'invalid', reason });
  }
}

export type ScanQuery = Omit<JournalQuery, 'cursor' | 'locate' | 'limit'> & { limit?: number };

/**
 * Calls `fn` with every entry the query selects, in its order, and where it sits; `fn` returning false stops
 * the scan. The reader's corrupt lines go to `issues`.
 */
export async function scanStream(
  dir: string,
  query: ScanQuery,
  issues: JournalIssues,
  fn: (entry: JournalEntry, where: Where) => boolean | void,
): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await readJournal(dir, { limit: 5000, ...query, cursor, locate: true });
    for (const issue of page.journalIssues) issues.add(issue);
    issues.more += page.skippedLines - page.journalIssues.length;
    let at = 0;
    const where: Where = () => positionOf(page.positions!, at);
    for (; at < page.items.length; at++) {
      if (fn(page.items[at]!, where) === false) return;
    }
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
