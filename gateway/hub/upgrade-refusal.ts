// Refusing a WebSocket upgrade: a plain HTTP answer in the API's error shape on the raw socket.
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** Thrown by the hub's `authenticate` (or returned by `admit`) to refuse an upgrade with this answer. */
export class UpgradeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeRefusal';
  }
}

// Plain HTTP answer on the raw upgrade socket, then the socket is destroyed (the API's error shape).
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  socket.on('error', () => {});
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
