// Worker task: one journal page read off the event loop (Rule 1); plain data in, plain data out.
import { readJournal } from '../gateway/store/journal-reader.js';
import type { JournalPage, JournalQuery } from '../gateway/store/journal-reader.js';

export interface JournalReadPayload {
  dir: string;
  query: JournalQuery;
}

export default async function journalRead({ payload }: { payload: JournalReadPayload }): Promise<JournalPage> {
  return readJournal(payload.dir, payload.query);
}
