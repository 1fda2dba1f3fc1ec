// ApiClient: same-origin JSON, CSRF token on non-GET (from /api/auth/me), the API error shape as
// ApiClientError, 'oc-signed-out' on 401, and network failures as status 0.
import { expect } from '@open-wc/testing';
import { ApiClient, ApiClientError } from '../../client/src/api/api-client.js';

type Call = { url: string; init: RequestInit };

function client(handler: (call: Call) => Response): { api: ApiClient; calls: Call[] } {
  const calls: Call[] = [];
  const api = new ApiClient(async (input, init) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return handler(call);
  });
  return { api, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('api-client', () => {
  it('sends X-CSRF-Token from /api/auth/me on POST, same-origin credentials, JSON body', async () => {
    const { api, calls } = client(({ url }) => url === '/api/auth/me'
      ? json(200, { user: { username: 'a', role: 'operator' }, csrfToken: 'tok-1' })
      : json(200, { process: { name: 'p' } }));
    const reply = await api.post<{ process: { name: string } }>('/api/processes/p/restart');
    expect(reply.process.name).to.equal('p');
    const post = calls.find((c) => c.url === '/api/processes/p/restart')!;
    expect((post.init.headers as Record<string, string>)['X-CSRF-Token']).to.equal('tok-1');
    expect(post.init.credentials).to.equal('same-origin');
    expect(post.init.method).to.equal('POST');
    await api.post('/api/processes/p/stop');
    expect(calls.filter((c) => c.url === '/api/auth/me'), 'token is cached').to.have.length(1);
  });

  it('fetches a fresh CSRF token and retries once when the gateway says csrf_failed', async () => {
    let token = 'old';
    const { api, calls } = client(({ url, init }) => {
      if (url === '/api/auth/me') return json(200, { user: { username: 'a', role: 'operator' }, csrfToken: token });
      const sent = (init.headers as Record<string, string>)['X-CSRF-Token'];
      return sent === 'new' ? json(200, { ok: true }) : json(403, { error: { code: 'csrf_failed', message: 'Wrong token.' } });
    });
    await api.me();
    token = 'new';
    expect(await api.post('/api/processes/p/restart')).to.deep.equal({ ok: true });
    expect(calls.map((c) => c.url)).to.deep.equal(['/api/auth/me', '/api/processes/p/restart', '/api/auth/me', '/api/processes/p/restart']);
  });

  it('session(): a signed-out visitor is null from a 200, with no 401 and no oc-signed-out', async () => {
    let signedOut = 0;
    const onSignedOut = () => { signedOut += 1; };
    window.addEventListener('oc-signed-out', onSignedOut);
    try {
      const { api, calls } = client(() => json(200, { user: null, csrfToken: null, mustChangePassword: false }));
      expect(await api.session()).to.equal(null);
      expect(await api.session(), 'asked again: nobody is not cached').to.equal(null);
      expect(calls.map((c) => c.url)).to.deep.equal(['/api/auth/session', '/api/auth/session']);
      expect(signedOut).to.equal(0);
    } finally {
      window.removeEventListener('oc-signed-out', onSignedOut);
    }
  });

  it('session(): a signed-in user is cached with its CSRF token, shared with me()', async () => {
    const { api, calls } = client(({ url }) => url === '/api/auth/session'
      ? json(200, { user: { username: 'a', role: 'operator' }, csrfToken: 'tok-s', mustChangePassword: false })
      : json(200, { ok: true }));
    expect((await api.session())!.user.username).to.equal('a');
    expect((await api.me()).csrfToken).to.equal('tok-s');
    await api.post('/api/processes/p/restart');
    expect(calls.map((c) => c.url)).to.deep.equal(['/api/auth/session', '/api/processes/p/restart']);
    expect((calls[1]!.init.headers as Record<string, string>)['X-CSRF-Token']).to.equal('tok-s');
  });

  it('signs in without a CSRF token (there is no session yet)', async () => {
    const { api, calls } = client(() => json(200, { user: { username: 'a', role: 'viewer' } }));
    await api.login('a', 'pw');
    expect(calls.map((c) => c.url)).to.deep.equal(['/api/auth/login']);
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).to.equal(undefined);
  });

  it('turns the error shape into ApiClientError with status, code, message and details', async () => {
    const { api } = client(() => json(400, { error: { code: 'validation_failed', message: 'Name is required.', details: [{ field: 'name' }] } }));
    const err = await api.get('/api/advisors').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiClientError);
    const e = err as ApiClientError;
    expect([e.status, e.code, e.message]).to.deep.equal([400, 'validation_failed', 'Name is required.']);
    expect(e.details).to.deep.equal([{ field: 'name' }]);
  });

  it('reads Retry-After on 429', async () => {
    const { api } = client(() => json(429, { error: { code: 'rate_limited', message: 'Slow down.' } }, { 'Retry-After': '12' }));
    const err = (await api.get('/api/x').catch((e: unknown) => e)) as ApiClientError;
    expect(err.retryAfterSeconds).to.equal(12);
  });

  it('dispatches oc-signed-out on window for a 401', async () => {
    const { api } = client(() => json(401, { error: { code: 'unauthenticated', message: 'Sign in first.' } }));
    const seen = new Promise<Event>((resolve) => window.addEventListener('oc-signed-out', resolve, { once: true }));
    await api.get('/api/processes').catch(() => {});
    expect((await seen).type).to.equal('oc-signed-out');
  });

  it('reports an unreachable gateway as status 0 network_error', async () => {
    const api = new ApiClient(async () => { throw new TypeError('Failed to fetch'); });
    const err = (await api.get('/api/health').catch((e: unknown) => e)) as ApiClientError;
    expect([err.status, err.code]).to.deep.equal([0, 'network_error']);
  });

  it('falls back to the status when the body is not the API error shape', async () => {
    const { api } = client(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = (await api.get('/api/health').catch((e: unknown) => e)) as ApiClientError;
    expect(err.code).to.equal('http_502');
    expect(err.message).to.equal('The gateway answered 502 Bad Gateway.');
  });
});
