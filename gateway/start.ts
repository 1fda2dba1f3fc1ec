// `npm start`: builds the client when it is missing or older than its sources, then runs the gateway.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClientBuilt } from './cli/client-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!ensureClientBuilt(root)) process.exit(1);
await import('./main.js');
