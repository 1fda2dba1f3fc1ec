// time-format: clock in the business timezone (zone shown only when the device's differs), relative
// times, durations and byte sizes, with "—" for anything unknown.
import { expect } from '@open-wc/testing';
import { formatBytes, formatClock, formatDuration, formatRelative } from '../../client/src/app/time-format.js';

const AT = Date.UTC(2024, 0, 1, 18, 30, 5); // 00:00:05 next day in Asia/Kolkata

describe('time-format', () => {
  it('formatClock shows HH:MM:SS in Asia/Kolkata without a zone when the device is there too', () => {
    expect(formatClock(AT, 'Asia/Kolkata')).to.equal('00:00:05');
    expect(formatClock(new Date(AT).toISOString(), 'Asia/Calcutta')).to.equal('00:00:05');
  });

  it('formatClock names the zone when the device is elsewhere', () => {
    expect(formatClock(AT, 'Europe/London')).to.equal('00:00:05 IST');
  });

  it('formatClock makes its Intl formatters once, not on every call (a phone pays milliseconds for each)', () => {
    const Real = Intl.DateTimeFormat;
    let made = 0;
    const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made += 1;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    formatClock(AT);
    formatClock(AT, 'Europe/London');
    Intl.DateTimeFormat = Counting;
    try {
      for (let i = 0; i < 50; i += 1) {
        formatClock(AT + i * 1000);
        formatClock(AT + i * 1000, 'Europe/London');
      }
    } finally {
      Intl.DateTimeFormat = Real;
    }
    expect(made).to.equal(0);
    expect(formatClock(AT, 'Europe/London')).to.equal('00:00:05 IST');
  });

  it('formatClock draws an invalid time as —', () => {
    expect(formatClock('not a date', 'Asia/Kolkata')).to.equal('—');
  });

  it('formatRelative says how long ago (or until) in words', () => {
    const now = AT;
    expect(formatRelative(now - 3_000, now)).to.equal('just now');
    expect(formatRelative(now - 45_000, now)).to.equal('45 seconds ago');
    expect(formatRelative(new Date(now - 3 * 60_000).toISOString(), now)).to.equal('3 min ago');
    expect(formatRelative(now - 2 * 3_600_000, now)).to.equal('2 hours ago');
    expect(formatRelative(now - 3 * 86_400_000, now)).to.equal('3 days ago');
    expect(formatRelative(now + 5 * 60_000, now)).to.equal('in 5 min');
    expect(formatRelative('garbage', now)).to.equal('—');
  });

  it('formatDuration is compact and refuses unknown values', () => {
    expect(formatDuration(45)).to.equal('45 s');
    expect(formatDuration(12 * 60 + 30)).to.equal('12 min');
    expect(formatDuration(3 * 3600 + 5 * 60)).to.equal('3 h 05 min');
    expect(formatDuration(2 * 86_400 + 4 * 3600)).to.equal('2 d 4 h');
    expect(formatDuration(null)).to.equal('—');
    expect(formatDuration(-1)).to.equal('—');
  });

  it('formatBytes uses binary units and refuses unknown values', () => {
    expect(formatBytes(512)).to.equal('512 B');
    expect(formatBytes(1536)).to.equal('1.5 KB');
    expect(formatBytes(120 * 1024 * 1024)).to.equal('120 MB');
    expect(formatBytes(8 * 1024 ** 3)).to.equal('8.0 GB');
    expect(formatBytes(undefined)).to.equal('—');
    expect(formatBytes(Number.NaN)).to.equal('—');
  });
});
