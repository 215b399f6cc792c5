import type { MiddlewareHandler } from 'hono';
import { validationResponse } from './errors.ts';

/**
 * Rejects a request whose query or JSON body contains a NUL character (U+0000), with 422. SQLite
 * would store such a text and PostgreSQL would reject it, so checking it here gives the same
 * response on both databases. Form and multipart bodies are left to their own validation.
 */
export function rejectNulCharacters(): MiddlewareHandler {
  return async (c, next) => {
    if (decodeURIComponentSafe(new URL(c.req.url).search).includes('\u0000')) {
      return validationResponse(c, [{ type: 'value_error', loc: ['query'], msg: 'Query values must not contain NUL characters (%00)' }]);
    }

    if (c.req.header('content-type')?.includes('application/json')) {
      const text = await c.req.text();
      // Only a body holding a NUL is parsed here; malformed JSON is left to the route's validator.
      if (text.includes('\\u0000') || text.includes('\u0000')) {
        const path = nulPathOrBody(parseOrUndefined(text));
        if (path) return validationResponse(c, [{ type: 'value_error', loc: path, msg: 'Texts must not contain NUL characters (\\u0000)' }]);
      }
    }
    return next();
  };
}

/** Returns where the NUL is; a body nested too deep to walk counts as a whole. */
function nulPathOrBody(value: unknown): (string | number)[] | null {
  try {
    return nulPath(value, ['body']);
  } catch {
    return ['body'];
  }
}

/** Returns the location of the first text holding a NUL character, or null. */
function nulPath(value: unknown, path: (string | number)[]): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (!value || typeof value !== 'object') return null;

  for (const [key, child] of Object.entries(value)) {
    const found = (typeof key === 'string' && key.includes('\u0000') ? [...path, key] : null) ?? nulPath(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return null;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape is left to the route's own validation, which names the parameter.
    return text;
  }
}
