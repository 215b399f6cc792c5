/** Minimal JSON client for the MeterVision HTTP API, used by the demo. */
export class ApiClient {
  #token: string | null = null;

  constructor(readonly baseUrl: string) {}

  /** Signs in through the OAuth2 password form of `POST /token`. */
  async login(username: string, password: string): Promise<void> {
    const response = await fetch(new URL('/token', this.baseUrl), {
      method: 'POST',
      body: new URLSearchParams({ username, password }),
    });
    const body = (await this.#parse(response, 'POST /token')) as { access_token: string };
    this.#token = body.access_token;
  }

  get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.#request<T>('POST', path, body);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';

    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await this.#parse(response, `${method} ${path}`)) as T;
  }

  async #parse(response: Response, label: string): Promise<unknown> {
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = (body as { detail?: unknown } | null)?.detail;
      throw new Error(`${label} failed with HTTP ${response.status}: ${JSON.stringify(detail ?? text)}`);
    }
    return body;
  }
}
