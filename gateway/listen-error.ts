// The listen() failures a person fixes with a setting (port taken, port needs privileges, an address that
// is not this machine's) as one line naming that setting; used by the gateway and the standalone webhook.

export interface ListenTarget {
  port: number;
  host: string;
  /** The names of the settings to change, e.g. PORT and HOST, or WEBHOOK_PORT and WEBHOOK_HOST. */
  portVar: string;
  hostVar: string;
}

export function listenFailureLine(err: unknown, t: ListenTarget): string | null {
  const code = typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${t.port} is already in use (set ${t.portVar} to another port).`;
    case 'EACCES':
    case 'EPERM':
      return `Port ${t.port} needs privileges this user does not have (set ${t.portVar} to a port above 1023, or put a proxy in front).`;
    case 'EADDRNOTAVAIL':
      return `${t.hostVar} ${t.host} is not an address of this machine (set ${t.hostVar} to 0.0.0.0, 127.0.0.1 or one of its own addresses).`;
    case 'EAFNOSUPPORT':
      return `${t.hostVar} ${t.host} is an IPv6 address but IPv6 is not available here (set ${t.hostVar} to an IPv4 address such as 0.0.0.0).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `${t.hostVar} ${t.host} could not be resolved to an address (set ${t.hostVar} to an IP address such as 0.0.0.0 or 127.0.0.1).`;
    default:
      return null;
  }
}

export const LISTEN_BACKLOG = 4096;

/** listen() as a promise; a failure a setting fixes becomes a ListenError carrying its one line. */
export function listenOn(server: import('node:http').Server, t: ListenTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      const line = listenFailureLine(err, t);
      reject(line === null ? err : new ListenError(line, { cause: err }));
    };
    server.once('error', onError);
    // A deeper accept queue than Node's 511: a thousand clients connecting at once (a reconnect storm after a
    // restart) are queued by the kernel instead of dropped and retried seconds later. Capped by net.core.somaxconn.
    server.listen({ port: t.port, host: t.host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export class ListenError extends Error {
  override name = 'ListenError';
}
