import { createRoute, z } from '@hono/zod-openapi';
import { count } from 'drizzle-orm';
import type { RouteModule } from './context.ts';
import { errorSchema, jsonResponse } from './openapi-schemas.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'Liveness: answers 200 when the database answers',
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok'), dialect: z.enum(['sqlite', 'pg']) }), 'Healthy'),
    503: jsonResponse(errorSchema, 'The database does not answer'),
  },
});

export const healthRoutes: RouteModule = {
  name: 'health',
  register: (router) => {
    const { database, logger } = router.deps;
    router.add(healthRoute, async (c) => {
      try {
        await database.db.select({ value: count() }).from(database.tables.organizations);
        return c.json({ status: 'ok' as const, dialect: database.dialect }, 200);
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'health check failed');
        return c.json({ detail: 'Database unavailable' }, 503);
      }
    });
  },
};
