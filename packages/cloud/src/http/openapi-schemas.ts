import { z } from '@hono/zod-openapi';

/** Body of every 4xx response except validation errors. */
export const errorSchema = z.object({ detail: z.string() }).openapi('Error', { example: { detail: 'Meter not found' } });

/** Body of a 422 response: one entry per invalid field. */
export const validationErrorSchema = z
  .object({
    detail: z.array(z.object({ type: z.string(), loc: z.array(z.union([z.string(), z.number()])), msg: z.string() })),
  })
  .openapi('ValidationError', { example: { detail: [{ type: 'missing', loc: ['body', 'name'], msg: 'Field required' }] } });

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** Error responses shared by every protected route, for the OpenAPI document. */
export const errorResponses = {
  401: json(errorSchema, 'Missing, invalid or expired credentials'),
  403: json(errorSchema, 'The role does not allow this operation'),
  404: json(errorSchema, 'Not found, or not visible to the caller'),
  422: json(validationErrorSchema, 'Invalid request'),
};

/** A 409 response: the name or serial number is taken. */
export const conflictResponse = json(errorSchema, 'Already exists');

/** Builds a JSON response entry for `createRoute`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return json(schema, description);
}

/** Builds a JSON request body entry for `createRoute`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}
