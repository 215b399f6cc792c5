import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';

/**
 * Lists the origins a dashboard form may be posted from: this server's own, and its https form
 * when a TLS-terminating proxy sends `X-Forwarded-Proto: https`.
 */
function ownOrigins(c: Context): string[] {
  const url = new URL(c.req.url);
  const origins = [url.origin];
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') origins.push(`${forwarded}://${url.host}`);
  return origins;
}

/**
 * CSRF protection of the dashboard's POST forms, on top of the SameSite=Lax session cookie: a
 * form post is accepted only when `Sec-Fetch-Site` is `same-origin` or `Origin` is this server.
 * A post without either header (no browser sends that) is rejected with 403.
 */
export function sameOriginForms(): MiddlewareHandler {
  return csrf({ origin: (origin, c) => ownOrigins(c).includes(origin) });
}
