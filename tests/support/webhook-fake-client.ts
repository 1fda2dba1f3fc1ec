// A WebhookClient whose answers the test decides: /health as the test's function says, /metrics of a webhook
// started at `startedAt` with nothing recorded, an empty /events page, and a stream whose frames the test sends.
import type { HealthOutcome, StreamHandlers, WebhookClient } from '../../gateway/sources/webhook-client.js';

export interface FakeWebhookClient {
  client: WebhookClient;
  /** The handlers of the open stream (null before the connector opened one). */
  stream(): StreamHandlers | null;
}

export function fakeWebhookClient(health: () => Promise<HealthOutcome>, startedAt: string): FakeWebhookClient {
  let handlers: StreamHandlers | null = null;
  const client: WebhookClient = {
    url: 'http://127.0.0.1:1',
    health,
    metrics: async () => ({ generatedAt: startedAt, startedAt, lastSeq: 0, buttonClicks: { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0 } }),
    eventsPage: async () => '{"events":[],"nextAfter":0,"hasMore":false}',
    openStream: (_after, h) => {
      handlers = h;
      setImmediate(() => h.onOpen());
      return { close: () => h.onClose('closed by the dashboard') };
    },
  };
  return { client, stream: () => handlers };
}
