import type { MiddlewareHandler } from 'hono';

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/**
 * Route middleware for an optional JSON body: a request with `Content-Type: application/json`
 * and an empty body counts as one without a body, where hono's validator would raise "Malformed
 * JSON". The request is replaced by a copy without body and Content-Type, which the validators
 * of @hono/zod-openapi treat as "no body" for a body with `required: false`.
 */
export const emptyJsonBodyAsNone: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  if (JSON_CONTENT_TYPE.test(raw.headers.get('content-type') ?? '') && (await c.req.text()).trim() === '') {
    const headers = new Headers(raw.headers);
    headers.delete('content-type');
    headers.delete('content-length');
    c.req.raw = new Request(raw.url, { method: raw.method, headers, signal: raw.signal });
  }
  await next();
};
