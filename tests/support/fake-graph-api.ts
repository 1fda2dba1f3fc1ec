// A local stand-in for the WhatsApp Cloud API messages endpoint (POST /<phone_number_id>/messages) on
// 127.0.0.1: records every request and answers like Graph API does, or with its error shape for chosen
// recipients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  path: string;
  authorization: string | undefined;
  body: { messaging_product?: string; to?: string; type?: string; text?: { body?: string } };
}

export interface FakeGraphApi {
  url: string;
  requests: GraphRequest[];
  /** Recipients (wa_id) whose sends are refused with a Graph API error. */
  failFor: Set<string>;
  /** Milliseconds each answer waits. */
  delayMs: number;
  /** Message ids handed out, in order. */
  issued: string[];
  close(): Promise<void>;
}

export async function startFakeGraphApi(): Promise<FakeGraphApi> {
  let n = 0;
  const api: FakeGraphApi = { url: '', requests: [], failFor: new Set(), delayMs: 0, issued: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as GraphRequest['body'];
      api.requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      const answer = () => {
        res.setHeader('content-type', 'application/json');
        if (!/^\/v\d+\.\d+\/\d+\/messages$/.test(req.url ?? '') && !/^\/\d+\/messages$/.test(req.url ?? '')) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { message: 'Unknown path', code: 100 } }));
        } else if (body.to && api.failFor.has(body.to)) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: { message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030 } }));
        } else {
          const id = `wamid.FAKE${String(++n).padStart(6, '0')}`;
          api.issued.push(id);
          res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id }] }));
        }
      };
      if (api.delayMs > 0) setTimeout(answer, api.delayMs);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v21.0`;
  api.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return api;
}
