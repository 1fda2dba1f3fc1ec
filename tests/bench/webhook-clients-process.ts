// Child process of the webhook benchmark holding the non-sampled `webhook` subscribers (bare sockets,
// raw-ws-client.ts; they only tally event frames by seq), so their traffic does not delay the sampled clients'
// clock in the benchmark's own process. Talks over the IPC channel.
import { allArrived, closeWebhookClients, connectMany, connectTallyClient, deliveryReport, type DeliveryReport } from './webhook-clients.js';

export type ClientsRequest = { type: 'collect'; storedSeqs: number[]; waitMs: number } | { type: 'close' };
export type ClientsReply = { type: 'ready'; connectMs: number } | { type: 'report'; report: DeliveryReport } | { type: 'closed' } | { type: 'failed'; error: string };
export interface ClientsSetup {
  url: string;
  headers: Record<string, string>;
  count: number;
  capacity: number;
  base: number;
}

const { url, headers, count, capacity, base } = JSON.parse(process.env.BENCH_CLIENTS_SETUP ?? '{}') as ClientsSetup;
const post = (reply: ClientsReply) => process.send!(reply);
process.on('disconnect', () => process.exit(0)); // the benchmark went away

try {
  const started = performance.now();
  const clients = await connectMany(count, () => connectTallyClient(url, headers, capacity, base));
  post({ type: 'ready', connectMs: Math.round(performance.now() - started) });
  process.on('message', async (req: ClientsRequest) => {
    if (req.type === 'close') {
      await closeWebhookClients(clients);
      post({ type: 'closed' });
      process.disconnect();
      return;
    }
    const deadline = performance.now() + req.waitMs;
    while (performance.now() < deadline && !allArrived(clients, base, req.storedSeqs)) await new Promise((r) => setTimeout(r, 50));
    post({ type: 'report', report: deliveryReport(clients, base, req.storedSeqs) });
  });
} catch (err) {
  post({ type: 'failed', error: String(err) });
}
