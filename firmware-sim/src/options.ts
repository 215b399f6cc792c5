import type { z } from 'zod';
import { InvalidOptionError, type OptionIssue } from './errors.ts';

/**
 * Parses `input` with `schema`, filling defaults. Throws InvalidOptionError naming each invalid
 * field and the value received, so a CLI flag or a test knob with a typo fails loudly.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, context: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const issues: OptionIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    received: valueAt(input, issue.path),
    message: issue.message,
  }));
  throw new InvalidOptionError(context, issues, { cause: result.error });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
