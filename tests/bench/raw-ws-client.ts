// A bare-bones WebSocket client for the benchmark's non-sampled subscribers: the handshake by hand, masked
// frames out (subscribe, pong, close), and a minimal parser of the server's unmasked frames that hands each
// text payload over as a range of the read buffer. No per-message events, copies or UTF-8 validation: a
// thousand of these fit in one thread at a thousand frames a second each, so the machine's CPU goes to the
// gateway being measured rather than to the simulated browsers. (The sampled clients use `ws`.)
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawWsHandlers {
  /** A text frame's payload: buf[start, end) (a view of the read buffer, valid during the call only). */
  onText(buf: Buffer, start: number, end: number): void;
  onClose(code: number): void;
}

export interface RawWs {
  send(text: string): void;
  close(code?: number): void;
  destroy(): void;
  readonly closed: boolean;
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** Opens ws://host:port/path with the given headers; resolves once the server answered 101. */
export function connectRaw(url: string, headers: Record<string, string>, h: RawWsHandlers): Promise<RawWs> {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.setNoDelay(true);
  let closed = false;
  const finish = (code: number) => {
    if (closed) return;
    closed = true;
    h.onClose(code);
    socket.destroy();
  };
  const ws: RawWs = {
    send: (text) => void socket.write(maskedFrame(0x1, Buffer.from(text))),
    close: (code = 1000) => {
      const p = Buffer.alloc(2);
      p.writeUInt16BE(code);
      socket.write(maskedFrame(0x8, p));
      socket.end();
    },
    destroy: () => finish(1006),
    get closed() {
      return closed;
    },
  };
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let open = false;
    socket.once('connect', () => {
      const lines = [`GET ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('error', (err) => (open ? finish(1006) : reject(err)));
    socket.on('close', () => finish(1006));
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (!open) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.toString('latin1', 0, buf.indexOf('\r\n'));
        if (!/^HTTP\/1\.1 101/.test(status)) return reject(new Error(`no upgrade: ${status}`));
        open = true;
        buf = buf.subarray(end + 4);
        resolve(ws);
      }
      // Whole frames only; a partial one waits for the next chunk.
      let off = 0;
      for (;;) {
        if (buf.length - off < 2) break;
        const b0 = buf[off]!;
        let len = buf[off + 1]! & 0x7f;
        let head = 2;
        if (len === 126) {
          if (buf.length - off < 4) break;
          len = buf.readUInt16BE(off + 2);
          head = 4;
        } else if (len === 127) {
          if (buf.length - off < 10) break;
          len = Number(buf.readBigUInt64BE(off + 2));
          head = 10;
        }
        if (buf.length - off < head + len) break;
        const start = off + head;
        off = start + len;
        const opcode = b0 & 0x0f;
        if (opcode === 0x1) h.onText(buf, start, off);
        else if (opcode === 0x9) socket.write(maskedFrame(0xa, Buffer.from(buf.subarray(start, off))));
        else if (opcode === 0x8) {
          finish(len >= 2 ? buf.readUInt16BE(start) : 1005);
          return;
        }
      }
      buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
    });
  });
}

const SNAPSHOT_MARK = Buffer.from('"type":"snapshot"');

/**
 * A raw client subscribed to one hub topic: resolves once the snapshot arrived; every later text frame goes to
 * onFrame. stop() closes with 1000 and resolves once closed (destroys the socket after 2 s).
 */
export async function subscribeRaw(
  url: string,
  headers: Record<string, string>,
  topic: string,
  onFrame: (buf: Buffer, start: number, end: number) => void,
  onClose: (code: number) => void,
): Promise<{ stop(): Promise<void> }> {
  let snapshot: (() => void) | null = null;
  let beforeSnapshot: ((code: number) => void) | null = null;
  let closeWaiters: Array<() => void> = [];
  const gotSnapshot = new Promise<void>((resolve, reject) => {
    snapshot = resolve;
    beforeSnapshot = (code) => reject(new Error(`closed (${code}) before the snapshot`));
  });
  const ws = await connectRaw(url, headers, {
    onText(buf, start, end) {
      if (!snapshot) return onFrame(buf, start, end);
      const at = buf.indexOf(SNAPSHOT_MARK, start);
      if (at >= 0 && at < Math.min(end, start + 200)) {
        snapshot();
        snapshot = null;
      }
    },
    onClose(code) {
      onClose(code);
      beforeSnapshot?.(code);
      for (const w of closeWaiters) w();
      closeWaiters = [];
    },
  });
  ws.send(JSON.stringify({ op: 'subscribe', topics: [topic] }));
  await gotSnapshot;
  beforeSnapshot = null;
  return {
    stop: () =>
      ws.closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => (ws.destroy(), resolve()), 2000);
            closeWaiters.push(() => (clearTimeout(timer), resolve()));
            ws.close(1000);
          }),
  };
}
