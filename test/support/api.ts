/** JSON client for the MeterVision HTTP API with a Bearer token, for the end-to-end tests. */
export class Api {
  token: string | null = null;

  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<void> {
    const response = await fetch(new URL('/token', this.baseUrl), { method: 'POST', body: new URLSearchParams({ username, password }) });
    if (!response.ok) throw new Error(`POST /token failed with HTTP ${response.status}: ${await response.text()}`);
    this.token = ((await response.json()) as { access_token: string }).access_token;
  }

  async get<T>(path: string): Promise<T> {
    return this.#send<T>('GET', path);
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return this.#send<T>('POST', path, body);
  }

  /** Fetches `path` with the token and returns the raw response. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    return fetch(new URL(path, this.baseUrl), { ...init, headers });
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} failed with HTTP ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}
