// The one fetch wrapper pages use to talk to the gateway: JSON in and out, same-origin cookies,
// the CSRF token on state-changing requests, and the API's error shape turned into ApiClientError.

export interface SessionUser { username: string; role: 'viewer' | 'operator' | 'admin' }
/** `mustChangePassword`: a generated first password is still in use; only its change is allowed (403 otherwise). */
export interface MeResponse { user: SessionUser; csrfToken: string | null; mustChangePassword?: boolean }
export interface LoginResult { user: SessionUser; mustChangePassword: boolean }

/** A non-2xx reply (or a network failure: status 0, code 'network_error'). */
export class ApiClientError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds from a Retry-After header (429/503), when given. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'ApiClientError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Don't announce 'oc-signed-out' on 401 (the login form and the session probe expect 401). */
  quiet401?: boolean;
  /** Send X-CSRF-Token on a non-GET request (default true; sign-in has no session to take one from). */
  csrf?: boolean;
}

type FetchFn = typeof fetch;

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : null;
}

export class ApiClient {
  #fetch: FetchFn;
  #csrfToken: string | null = null;
  #me: Promise<MeResponse> | null = null;

  constructor(fetchFn: FetchFn = (input, init) => fetch(input, init)) {
    this.#fetch = fetchFn;
  }

  get<T>(path: string, opts: Omit<RequestOptions, 'method' | 'body' | 'csrf'> = {}): Promise<T> {
    return this.request<T>(path, { ...opts, method: 'GET' });
  }

  post<T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...opts, method: 'POST', body });
  }

  async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    try {
      return await this.#send<T>(path, opts);
    } catch (err) {
      // The session was renewed elsewhere (e.g. another tab signed in again): fetch the new token, retry once.
      if (err instanceof ApiClientError && err.code === 'csrf_failed' && opts.csrf !== false) {
        this.forgetSession();
        return this.#send<T>(path, opts);
      }
      throw err;
    }
  }

  async #send<T>(path: string, opts: RequestOptions): Promise<T> {
    const method = opts.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && opts.csrf !== false) {
      const token = this.#csrfToken ?? (await this.#tokenOrNull());
      if (token) headers['X-CSRF-Token'] = token;
    }
    let response: Response;
    try {
      response = await this.#fetch(path, {
        method, headers, credentials: 'same-origin', signal: opts.signal,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiClientError(0, 'network_error', 'The gateway could not be reached. Check the connection and try again.');
    }
    if (response.ok) {
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const error = await this.#errorFrom(response);
    if (response.status === 401) {
      this.forgetSession();
      if (!opts.quiet401) window.dispatchEvent(new CustomEvent('oc-signed-out', { detail: { reason: error.code } }));
    }
    throw error;
  }

  /** The signed-in user (cached for the page's life); rejects with status 401 when not signed in. */
  me(): Promise<MeResponse> {
    this.#me ??= this.get<MeResponse>('/api/auth/me', { quiet401: true }).then((me) => {
      this.#csrfToken = me.csrfToken;
      return me;
    });
    // A failed probe must not stick: the next call asks again.
    this.#me.catch(() => { this.#me = null; });
    return this.#me;
  }

  /**
   * Who is signed in, or null when nobody is: the same cache as me(), but a signed-out visitor is an answer
   * (GET /api/auth/session is 200 either way), not a 401 that the browser logs as a failed request.
   */
  async session(): Promise<MeResponse | null> {
    if (this.#me) {
      try {
        return await this.#me;
      } catch {
        // a failed probe: ask again below
      }
    }
    const reply = await this.get<MeResponse | { user: null }>('/api/auth/session', { quiet401: true });
    if (!reply.user) {
      this.forgetSession();
      return null;
    }
    const me = reply as MeResponse;
    this.#csrfToken = me.csrfToken;
    this.#me = Promise.resolve(me);
    return me;
  }

  async login(username: string, password: string): Promise<LoginResult> {
    this.forgetSession();
    const reply = await this.post<{ user: SessionUser; mustChangePassword?: boolean }>('/api/auth/login', { username, password }, { quiet401: true, csrf: false });
    return { user: reply.user, mustChangePassword: reply.mustChangePassword === true };
  }

  /** Changes the signed-in user's own password; the session goes on (the cached "who am I" is refreshed). */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.post('/api/auth/password', { currentPassword, newPassword });
    this.#me = null;
  }

  async logout(): Promise<void> {
    try {
      await this.post('/api/auth/logout', undefined, { quiet401: true });
    } finally {
      this.forgetSession();
    }
  }

  /** Drops the cached user and CSRF token (after sign-in/out or a 401). */
  forgetSession(): void {
    this.#me = null;
    this.#csrfToken = null;
  }

  async #tokenOrNull(): Promise<string | null> {
    try {
      return (await this.me()).csrfToken;
    } catch {
      return null; // not signed in: the request goes without and the gateway answers 401/403
    }
  }

  async #errorFrom(response: Response): Promise<ApiClientError> {
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // not JSON (e.g. a proxy's HTML error page): fall back to the status text below
    }
    const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    const code = typeof err?.code === 'string' ? err.code : `http_${response.status}`;
    const message = typeof err?.message === 'string' && err.message
      ? err.message
      : `The gateway answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
    return new ApiClientError(response.status, code, message, err?.details, retryAfter);
  }
}

/** The app's shared client. */
export const api = new ApiClient();
