// What every live page tracks besides its own data: the connection state, a clock for "N s ago" and
// staleness, and the signed-in user's role. Call from connectedCallback (after super, so a consumed
// live store is in place); call the returned function from disconnectedCallback.
import { api } from '../api/api-client.js';
import type { ConnectionState, LiveStore } from './live-store.js';

export interface PageLiveness {
  connection?: ConnectionState;
  now?: number;
  userRole?: string | null;
}

export function watchPageLiveness(live: LiveStore, tickMs: number, update: (change: PageLiveness) => void): () => void {
  const onConnection = () => update({ connection: live.connection, now: Date.now() });
  live.addEventListener('connection', onConnection);
  update({ connection: live.connection });
  const ticker = setInterval(() => update({ now: Date.now() }), tickMs);
  let active = true;
  api.me().then(
    (me) => active && update({ userRole: me.user.role }),
    () => active && update({ userRole: null }),
  );
  return () => {
    active = false;
    live.removeEventListener('connection', onConnection);
    clearInterval(ticker);
  };
}
