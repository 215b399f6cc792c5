import { DrizzleQueryError } from 'drizzle-orm';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { describeDatabaseError, isDataException } from '../db/errors.ts';
import { describeIssue } from './issue-messages.ts';

/** Error sent as `{"detail": …}` with its status, following the FastAPI convention of the API guide. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly detail: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers ?? {};
  }

  readonly headers: Record<string, string>;
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const forbidden = (detail: string) => new HttpError(403, detail);
export const conflict = (detail: string) => new HttpError(409, detail);

/** One entry of a 422 body, shaped like FastAPI's: where the value was, what is wrong, an error type. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
}

const LOCATIONS: Record<string, string> = { json: 'body', form: 'body', param: 'path', query: 'query', header: 'header', cookie: 'cookie' };

/**
 * Converts zod issues of one request part into FastAPI-style 422 entries. `input` is the value
 * that failed validation, so a missing field reads "Field required".
 */
export function toValidationIssues(error: z.ZodError, target: string, input?: unknown): ValidationIssue[] {
  const location = LOCATIONS[target] ?? target;
  return error.issues.map((issue) => ({
    ...describeIssue(issue, input),
    loc: [location, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
  }));
}

/** Builds a 422 response with one entry per invalid field. */
export function validationResponse(c: Context, issues: ValidationIssue[]) {
  return c.json({ detail: issues }, 422);
}

/**
 * Creates the app's error handler: known errors keep their status, and anything else is logged
 * and returned as 500. `mediaTypeAdvice` describes the body the matched route takes, for 415 responses.
 */
export function handleError(logger: Logger, mediaTypeAdvice: (c: Context) => string | undefined = () => undefined) {
  return (error: Error, c: Context) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json({ detail: error.detail }, error.status);
    }

    // hono's validators raise 400 for a body that does not parse, and the API returns 422 like FastAPI.
    if (error instanceof HTTPException && error.status === 400 && /malformed/i.test(error.message)) {
      return validationResponse(c, [{ type: 'json_invalid', loc: ['body'], msg: error.message }]);
    }

    if (error instanceof HTTPException && error.status === 415) {
      return c.json({ detail: unsupportedMediaType(c, mediaTypeAdvice(c)) }, 415);
    }

    if (error instanceof HTTPException) {
      const message = error.message || 'Request failed';
      return c.json({ detail: message }, error.status);
    }

    // PostgreSQL rejects values SQLite stores (a NUL character in text, a year before 1): the
    // request's data is at fault, so it gets a 422 and the same request never succeeds on retry.
    if (isDataException(error)) {
      logger.warn({ err: describeDatabaseError(error), method: c.req.method, path: c.req.path }, 'request data rejected by the database');
      return validationResponse(c, [{ type: 'value_error', loc: [c.req.method === 'GET' ? 'query' : 'body'], msg: 'A value cannot be stored: remove NUL characters (\\u0000) from texts and use dates between the years 1 and 9999' }]);
    }

    // drizzle's query errors carry the query parameters (password and credential hashes), so only
    // the driver's message and code are logged for them; other errors keep their stack.
    const logged = error instanceof DrizzleQueryError ? describeDatabaseError(error) : error;
    logger.error({ err: logged, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ detail: 'Internal Server Error' }, 500);
  };
}

/** Writes the detail of a 415 response: the media type received and, when the route is known, what to send. */
function unsupportedMediaType(c: Context, advice: string | undefined): string {
  const received = c.req.header('content-type');
  const problem = received ? `Unsupported Media Type ${received.split(';')[0]}` : 'A body without Content-Type is not accepted';
  return advice ? `${problem}: ${advice}.` : `${problem}.`;
}
