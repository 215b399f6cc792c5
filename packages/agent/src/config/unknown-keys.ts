import type { z } from 'zod';
import type { ConfigIssue } from '../errors.ts';

/**
 * Lists the keys of `input` that `schema` does not declare, with the closest declared key when
 * one is near. zod's plain objects drop unknown keys silently. The schemas shared with the remote
 * configuration must stay lenient, so this walks the schema instead of making objects strict.
 * Objects with a catchall, non-discriminated unions and `z.unknown()` values (the inline layout)
 * are not walked.
 *
 * @example
 * unknownKeyIssues(agentConfigSchema, { meter: { schedul: {} } });
 * // [{ path: 'meter.schedul', message: 'unknown key; did you mean meter.schedule?' }]
 */
export function unknownKeyIssues(schema: z.core.$ZodType, input: unknown, path: string[] = []): ConfigIssue[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;

  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return unknownKeyIssues(def.innerType as z.core.$ZodType, input, path);
    case 'pipe':
      return unknownKeyIssues(def.in as z.core.$ZodType, input, path);
    case 'array':
      return Array.isArray(input) ? input.flatMap((item, index) => unknownKeyIssues(def.element as z.core.$ZodType, item, [...path, String(index)])) : [];
    case 'union': {
      const option = discriminatedOption(def as unknown as z.core.$ZodDiscriminatedUnionDef, input);
      return option ? unknownKeyIssues(option, input, path) : [];
    }
    case 'object':
      return objectIssues(def as unknown as z.core.$ZodObjectDef, input, path);
    default:
      return [];
  }
}

function objectIssues(def: z.core.$ZodObjectDef, input: unknown, path: string[]): ConfigIssue[] {
  if (!isPlainObject(input)) return [];

  const known = Object.keys(def.shape);
  const acceptsAny = def.catchall !== undefined && def.catchall._zod.def.type !== 'never';
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(input)) {
    const field = def.shape[key];
    if (field) {
      issues.push(...unknownKeyIssues(field, value, [...path, key]));
      continue;
    }
    if (acceptsAny) continue;

    const suggestion = closestKey(key, known);
    const hint = suggestion === null ? `; known keys: ${known.join(', ')}` : `; did you mean ${[...path, suggestion].join('.')}?`;
    issues.push({ path: [...path, key].join('.'), message: `unknown key${hint}` });
  }
  return issues;
}

// Only a discriminated union identifies the member that applies. The schema itself reports an unknown discriminator.
function discriminatedOption(def: z.core.$ZodDiscriminatedUnionDef, input: unknown): z.core.$ZodType | null {
  if (typeof def.discriminator !== 'string' || !isPlainObject(input)) return null;

  const value = input[def.discriminator];
  return def.options.find((option) => option._zod.propValues?.[def.discriminator]?.has(value as never)) ?? null;
}

/**
 * Finds the known key a misspelt `key` most likely meant, ignoring case. A key that starts with
 * it or that it starts with wins (`keepalive` gives `keepaliveSeconds`). Otherwise the nearest key
 * within an edit distance of a third of its length (`schedul`), or null.
 */
export function closestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  const prefix = known.find((candidate) => candidate.toLowerCase().startsWith(lower) || lower.startsWith(candidate.toLowerCase()));
  if (prefix) return prefix;

  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && (best === null || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key ?? null;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
