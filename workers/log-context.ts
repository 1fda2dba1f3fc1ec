// Worker task: the entries around one offset of a log file (gzip decompressed whole), for the context
// view of a search hit. Reads widening windows around the offset until it has enough entries.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { readContext, type ContextResult, type ContextTask } from '../gateway/domain/logs/log-context.js';

function reader(task: ContextTask): { size: number; read(from: number, to: number): Buffer; close(): void } {
  if (task.compressed) {
    const whole = zlib.gunzipSync(fs.readFileSync(task.path));
    return { size: whole.length, read: (from, to) => whole.subarray(from, to), close: () => {} };
  }
  const fd = fs.openSync(task.path, 'r');
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(from, to) {
      const buf = Buffer.allocUnsafe(Math.max(0, to - from));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
    close: () => fs.closeSync(fd),
  };
}

export default function logContext({ payload }: { payload: ContextTask }): ContextResult {
  const r = reader(payload);
  try {
    return readContext(payload, r.size, r.read);
  } finally {
    r.close();
  }
}
