import type { z } from 'zod';

/** Maximum length, in characters, of a rejected value quoted back in a message. */
const MAX_QUOTED_CHARS = 40;

/** Example of the time format `z.iso.datetime` accepts: date, time and a UTC offset (`Z` or `+02:00`). */
const DATETIME_EXAMPLE = '2020-01-01T00:00:00Z';

/** Type and message of one 422 entry, in FastAPI's words where FastAPI has them. */
export interface IssueMessage {
  type: string;
  msg: string;
}

/**
 * Rewrites zod's default messages that confuse API clients: "expected number, received NaN" for
 * text in a number field, "expected string, received undefined" for a missing field and
 * "Invalid ISO datetime" for a date without time or offset. `input` is the request part that
 * failed, used to tell a missing field from a wrong one. Other issues keep zod's message.
 */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): IssueMessage {
  const value = valueAt(input, issue.path);

  if (issue.code === 'invalid_type' && value === undefined) return { type: 'missing', msg: 'Field required' };

  if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) {
    const noun = issue.expected === 'int' ? 'an integer' : 'a number';
    return { type: issue.code, msg: `Must be ${noun}, not ${quote(value)}` };
  }

  if (issue.code === 'invalid_format' && issue.format === 'datetime') {
    return { type: issue.code, msg: `Must be an ISO 8601 date and time with a UTC offset, such as ${DATETIME_EXAMPLE}, not ${quote(value)}` };
  }

  return { type: issue.code, msg: issue.message };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}
