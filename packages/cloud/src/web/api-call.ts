import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ApiApp } from '../http/context.ts';
import { SESSION_COOKIE } from './session.ts';

/** Outcome of an API call made for a dashboard form: the status and, on failure, a readable message. */
export interface ApiCallResult {
  status: number;
  /** The API's `detail`, joined into one sentence per invalid field for 422 responses; null on success. */
  error: string | null;
}

/**
 * Posts `body` as JSON to an API route of the same app, in process, with the session's access
 * token as `Authorization: Bearer`. The dashboard's forms go through the API route itself, so
 * its authentication, access policy, request schema and workflow apply unchanged.
 */
export async function postToApi(api: ApiApp, c: Context, path: string, body: Record<string, unknown> | null): Promise<ApiCallResult> {
  const token = getCookie(c, SESSION_COOKIE) ?? '';
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body) headers['content-type'] = 'application/json';

  const response = await api.request(path, { method: 'POST', headers, ...(body ? { body: JSON.stringify(body) } : {}) }, c.env);
  if (response.ok) return { status: response.status, error: null };

  const payload = (await response.json().catch(() => null)) as { detail?: unknown } | null;
  return { status: response.status, error: describeDetail(payload?.detail, response.status) };
}

/** Turns `{"detail": "…"}` or a FastAPI-style list of `{loc, msg}` into one message. */
function describeDetail(detail: unknown, status: number): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map((issue: { loc?: unknown[]; msg?: string }) => `${String(issue.loc?.at(-1) ?? 'body')}: ${issue.msg ?? 'invalid'}`).join('. ');
  }
  return `The request failed with HTTP ${status}.`;
}
