import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';

/** Largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/** `limit` and `offset` query parameters shared by every list endpoint. */
export const paginationQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ description: `Items per page, 1-${MAX_PAGE_SIZE}.`, example: DEFAULT_PAGE_SIZE }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ description: 'Items to skip.', example: 0 }),
};

export interface Page {
  limit: number;
  offset: number;
}

/** A page of items and the total count across all pages. */
export interface PageResult<T> {
  items: T[];
  total: number;
}

/** Sets the total in the `X-Total-Count` header: list bodies stay plain JSON arrays. */
export function setTotalCount(c: Context, total: number): void {
  c.header('X-Total-Count', String(total));
}

/** Optional `organization_id` filter of list endpoints. */
export const organizationFilter = z.coerce
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: 'Only items of this organization.' });
