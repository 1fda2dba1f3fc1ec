// What the gateway's log never writes, wherever a logged object carries it: credentials in HTTP headers and
// fields named for a secret. pino's `redact` replaces them before the line reaches stdout (and so PM2's log files)
// or DATA_DIR/logs, both of which the log center serves to every viewer.
export const REDACTED = '[redacted]';

const SECRET_HEADERS = ['authorization', 'cookie', '["set-cookie"]', '["x-csrf-token"]'];
const SECRET_FIELDS = ['password', 'currentPassword', 'newPassword', 'token', 'secret', 'csrfToken', 'authorization', 'cookie', 'sessionSecret', 'adminPassword', 'webhookToken'];

const header = (prefix: string, h: string) => `${prefix}headers${h.startsWith('[') ? '' : '.'}${h}`;

/** Paths for pino's `redact` (fast-redact syntax: `*` is one level). */
export const REDACTED_LOG_PATHS: readonly string[] = [
  // An object with headers (a request, an HTTP client's error), at the top, one level down, or in an error's cause.
  ...SECRET_HEADERS.flatMap((h) => [header('', h), header('*.', h), header('err.cause.', h)]),
  // Fields named for a secret, at the top or one level down (e.g. a configuration or a request body).
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
];
