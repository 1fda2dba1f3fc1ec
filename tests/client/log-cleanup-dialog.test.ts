// <log-cleanup-dialog>: a dry run lists the rotated files first; only the confirmation deletes; bad ages refused.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/log-cleanup-dialog.js';
import type { LogCleanupDialog } from '../../client/src/components/log-cleanup-dialog.js';
import type { CleanupReply } from '../../client/src/pages/page-logs-data.js';
import { text } from './agents-fixtures.js';

const files = [{ path: '/var/log/app/api.log.2.gz', source: 'dir:/var/log/app/*.log', size: 2048, mtime: '2025-10-01T00:00:00.000Z' },
  { path: '/var/log/app/api.log.1', source: 'dir:/var/log/app/*.log', size: 1024, mtime: '2025-10-02T00:00:00.000Z' }];

describe('log-cleanup-dialog', () => {
  it('lists the files of a dry run, then deletes only on confirmation', async () => {
    const calls: Array<[number, boolean]> = [];
    const perform = async (days: number, dryRun: boolean): Promise<CleanupReply> => {
      calls.push([days, dryRun]);
      return { dryRun, olderThanDays: days, files, totalBytes: 3072, deleted: dryRun ? 0 : 2 };
    };
    const el = await fixture<LogCleanupDialog>(html`<log-cleanup-dialog .perform=${perform}></log-cleanup-dialog>`);
    el.open = true;
    await el.updateComplete;
    const days = el.shadowRoot!.querySelector<HTMLInputElement>('input.days')!;
    days.value = '0';
    days.dispatchEvent(new Event('input'));
    await el.dryRun();
    await el.updateComplete;
    expect(calls).to.have.length(0);
    expect(text(el.shadowRoot!.querySelector('#days-error'))).to.equal('Enter a whole number of days from 1 to 3650.');
    days.value = '14';
    days.dispatchEvent(new Event('input'));
    await el.dryRun();
    await el.updateComplete;
    expect(calls).to.deep.equal([[14, true]]);
    expect(text(el.shadowRoot!.querySelector('.summary'))).to.equal('2 rotated files older than 14 days, 3.0 KB in all, would be deleted (oldest first):');
    expect([...el.shadowRoot!.querySelectorAll('li .path')].map((p) => text(p))).to.deep.equal(files.map((f) => f.path));
    expect(text(el.shadowRoot!.querySelector('sl-button.confirm'))).to.equal('Delete 2 files');
    el.shadowRoot!.querySelector<HTMLElement>('sl-button.confirm')!.click();
    await waitUntil(() => el.phase === 'done');
    expect(calls).to.deep.equal([[14, true], [14, false]]);
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('.outcome'))).to.equal('Deleted 2 files, 3.0 KB freed.');
  });

  it('says when nothing is old enough, and when the request fails', async () => {
    let fail = false;
    const perform = async (days: number, dryRun: boolean): Promise<CleanupReply> => {
      if (fail) throw new Error('Only admins can do this.');
      return { dryRun, olderThanDays: days, files: [], totalBytes: 0, deleted: 0 };
    };
    const el = await fixture<LogCleanupDialog>(html`<log-cleanup-dialog .perform=${perform}></log-cleanup-dialog>`);
    el.open = true;
    await el.updateComplete;
    await el.dryRun();
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('.summary'))).to.equal('No rotated files are older than 30 days; nothing to delete.');
    expect(el.shadowRoot!.querySelector('sl-button.confirm')).to.be.null;
    el.phase = 'ask';
    fail = true;
    await el.dryRun();
    await el.updateComplete;
    expect(text(el.shadowRoot!.querySelector('.outcome.bad'))).to.equal('The files could not be listed: Only admins can do this.');
  });
});
