import type { RouteConfig } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';

/**
 * Describes the body a route takes, for the 415 response to a body of another media type. Built from
 * the route's declared media types and the required fields of its form schema, for example
 * "send the form as application/x-www-form-urlencoded or multipart/form-data with username and
 * password", or "send multipart/form-data with the file in the field file".
 */
export function mediaTypeAdvice(route: RouteConfig): string | null {
  const content = route.request?.body?.content;
  if (!content) return null;

  const mediaTypes = Object.keys(content);
  const types = joinWords(mediaTypes, 'or');
  const first = Object.values(content)[0];
  const schema = first && 'schema' in first ? first.schema : undefined;
  const isForm = mediaTypes.every((type) => type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded');
  if (!isForm || !(schema instanceof z.ZodObject)) return `send the body as ${types}`;

  const fields = Object.entries(schema.shape as Record<string, z.ZodType>).filter(([, field]) => !field.safeParse(undefined).success);
  const fileField = fields.find(([, field]) => !field.safeParse('text').success && field.safeParse(new File([], 'f')).success);
  if (fileField && fields.length === 1) return `send ${types} with the file in the field ${fileField[0]}`;
  if (fields.length === 0) return `send the form as ${types}`;
  return `send the form as ${types} with ${joinWords(fields.map(([name]) => name), 'and')}`;
}

function joinWords(words: string[], conjunction: string): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}
