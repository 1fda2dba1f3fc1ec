// The gateway writes its pid into the data directory so offline tools can tell it is running.
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from '../store/private-files.js';

const FILE = 'gateway.pid';

export function writePidFile(dataDir: string): () => void {
  const file = path.join(dataDir, FILE);
  fs.writeFileSync(file, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

export function runningGatewayPid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, FILE), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
