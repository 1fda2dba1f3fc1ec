// Formats times, durations and sizes for display: clock times in the business timezone (default
// Asia/Kolkata), with the zone abbreviation only when it differs from the device's zone.

let businessTimeZone = 'Asia/Kolkata';

/** Changes the business timezone (e.g. from settings); invalid zones are refused. */
export function setBusinessTimeZone(zone: string): void {
  new Intl.DateTimeFormat('en-GB', { timeZone: zone }); // throws RangeError on an unknown zone
  businessTimeZone = zone;
  clockFormats.clear();
}

export function getBusinessTimeZone(): string {
  return businessTimeZone;
}

// Making an Intl formatter costs far more than using one (milliseconds on a phone), and clocks are formatted on
// every render of every card: each formatter below is made once and kept.

let device: { zone: string; at: number } | null = null;
/** The device's zone, looked up again once a minute (a device can change zones while the app stays open). */
function deviceTimeZone(now = Date.now()): string {
  if (!device || now - device.at > 60_000 || now < device.at) {
    device = { zone: Intl.DateTimeFormat().resolvedOptions().timeZone, at: now };
  }
  return device.zone;
}

function toMs(value: string | number | Date): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();
function clockFormat(withZone: boolean, deviceZone: string): Intl.DateTimeFormat {
  const key = `${withZone}|${deviceZone}`;
  let format = clockFormats.get(key);
  if (!format) {
    // en-IN names the default zone "IST" (en-GB would say "GMT+5:30"); the clock itself is the same 24-hour form.
    format = new Intl.DateTimeFormat('en-IN', {
      timeZone: businessTimeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      ...(withZone ? { timeZoneName: 'short' } : {}),
    });
    clockFormats.set(key, format);
  }
  return format;
}

/** "HH:MM:SS" in the business zone; "HH:MM:SS IST" when the device is in another zone; "—" when invalid. */
export function formatClock(value: string | number | Date, deviceZone: string = deviceTimeZone()): string {
  const ms = toMs(value);
  if (!Number.isFinite(ms)) return '—';
  return clockFormat(!sameZone(businessTimeZone, deviceZone, ms), deviceZone).format(ms);
}

// Two zone names are "the same" for display when they have the same offset at that instant
// (e.g. Asia/Calcutta vs Asia/Kolkata).
function sameZone(a: string, b: string, ms: number): boolean {
  if (a === b) return true;
  try {
    return offsetAt(a, ms) === offsetAt(b, ms);
  } catch {
    return false;
  }
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** "GMT+05:30": the zone's offset at that instant (throws RangeError for an unknown zone). */
function offsetAt(zone: string, ms: number): string | undefined {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, format);
  }
  return format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
}

let relative: Intl.RelativeTimeFormat | null = null;
/** Made on first use: a page that shows no relative time never pays for it. */
function relativeFormat(): Intl.RelativeTimeFormat {
  relative ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  return relative;
}

/** "just now", "3 min ago", "2 hours ago", "in 5 min"; "—" when invalid. */
export function formatRelative(value: string | number | Date, now: number = Date.now()): string {
  const ms = toMs(value);
  if (!Number.isFinite(ms)) return '—';
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return 'just now';
  if (abs < 60) return relativeFormat().format(seconds, 'second');
  if (abs < 3600) return relativeFormat().format(Math.trunc(seconds / 60), 'minute').replace('minutes', 'min').replace('minute', 'min');
  if (abs < 86_400) return relativeFormat().format(Math.trunc(seconds / 3600), 'hour');
  return relativeFormat().format(Math.trunc(seconds / 86_400), 'day');
}

/** Compact duration: "45 s", "12 min", "3 h 05 min", "2 d 4 h"; "—" for null/negative/NaN. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${h} h ${String(m).padStart(2, '0')} min`;
  }
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  return `${d} d ${h} h`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Binary sizes with one decimal below 10 units: "512 B", "1.5 KB", "120 MB"; "—" for null/negative/NaN. */
export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n) || n < 0) return '—';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}
