// Links from a symptom to the log center: one tap from a symptom to its cause.

/** A PM2 process's logs: its error stream first, then its output (source ids of docs/log-center.md). */
export function processLogsHref(name: string): string {
  return `/logs?${new URLSearchParams({ source: `pm2:${name}:err,pm2:${name}:out` })}`;
}

/** A service has no log file of its own: search every log for its name. */
export function serviceLogsHref(key: string): string {
  return `/logs?${new URLSearchParams({ q: key })}`;
}
