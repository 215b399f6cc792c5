import pino from 'pino';
import { databaseUrlProblem, redactUrl } from '../db/url.ts';

/**
 * Checks of string variables, run on start before anything opens or listens. Each returns why
 * the value is wrong and what to use instead, or null for a valid value.
 */
export type ValueCheck = (value: string) => string | null;

export const checkDatabaseUrl: ValueCheck = databaseUrlProblem;

/** pino's levels from the most to the least severe, then `silent`, which turns logging off. */
export const LOG_LEVELS: readonly string[] = [
  ...Object.entries(pino.levels.values)
    .sort(([, first], [, second]) => second - first)
    .map(([name]) => name),
  'silent',
];

export const checkLogLevel: ValueCheck = (value) => (LOG_LEVELS.includes(value) ? null : `expected one of ${LOG_LEVELS.join(', ')}`);

/** Accepts an absolute URL with a host whose scheme is one of `schemes` (written without `://`). */
export function urlCheck(schemes: readonly string[], example: string): ValueCheck {
  const prefixes = schemes.map((scheme) => `${scheme}://`);
  const expected = `expected a URL starting with ${prefixes.slice(0, -1).join(', ')} or ${prefixes.at(-1)}, for example ${example}`;
  return (value) => {
    if (!URL.canParse(value)) return expected;

    const url = new URL(value);
    return schemes.includes(url.protocol.slice(0, -1)) && url.hostname ? null : expected;
  };
}

/** Prints a variable's value in an error message: URLs lose their password. */
export function displayValue(value: string): string {
  return JSON.stringify(redactUrl(value));
}
