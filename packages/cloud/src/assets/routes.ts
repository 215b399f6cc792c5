import { createRoute, z } from '@hono/zod-openapi';
import { listScope } from '../access/principal.ts';
import type { RouteModule } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import { errorResponses, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { organizationFilter, paginationQuery, setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import { ASSET_LEVELS, type AssetLevel } from './levels.ts';
import { assetSchema, capitalize, createAssetSchema, toAssetJson } from './schemas.ts';

function levelRoutes(level: AssetLevel) {
  const tags = ['Assets'];
  const schema = assetSchema(level);
  const listQuery: Record<string, z.ZodType> = { ...paginationQuery, organization_id: organizationFilter };
  if (level.parent) listQuery[level.parent.field] = z.coerce.number().int().positive().optional();

  return {
    create: createRoute({
      method: 'post',
      path: `/${level.plural}/`,
      tags,
      summary: `Create a ${level.name}`,
      request: { body: jsonBody(createAssetSchema(level)) },
      responses: { 201: jsonResponse(schema, 'Created'), ...errorResponses },
    }),
    list: createRoute({
      method: 'get',
      path: `/${level.plural}/`,
      tags,
      summary: `List ${level.plural} of the caller's organizations, by id`,
      request: { query: z.object(listQuery) },
      responses: { 200: jsonResponse(z.array(schema), capitalize(level.plural)), ...errorResponses },
    }),
    get: createRoute({
      method: 'get',
      path: `/${level.plural}/{${level.idParam}}`,
      tags,
      summary: `Get a ${level.name}`,
      request: {
        params: z.object({
          [level.idParam]: z.coerce.number().int().positive().openapi({ param: { name: level.idParam, in: 'path' }, example: 1 }),
        }),
      },
      responses: { 200: jsonResponse(schema, capitalize(level.name)), ...errorResponses },
    }),
  };
}

function registerLevel(router: ApiRouter, level: AssetLevel): void {
  const { assets } = router.deps.repos;
  const routes = levelRoutes(level);

  router.resolvers.set(level.name, (key) => assets.organizationOf(level, Number(key)));

  router.add(routes.create, async (c) => {
    const body = c.req.valid('json') as Record<string, unknown>;
    const row = await assets.create(level, {
      organizationId: body.organization_id as number,
      parentId: level.parent ? (body[level.parent.field] as number) : null,
      name: body.name as string,
      description: body.description as string | null | undefined,
      address: body.address as string | null | undefined,
    });
    return c.json(toAssetJson(level, row), 201);
  });

  router.add(routes.list, async (c) => {
    const query = c.req.valid('query') as Record<string, number | undefined>;
    const scope = listScope(c.get('principal'), query.organization_id);
    const parentId = level.parent ? query[level.parent.field] : undefined;
    const page = await assets.list(level, scope, parentId, { limit: query.limit!, offset: query.offset! });
    setTotalCount(c, page.total);
    return c.json(page.items.map((row) => toAssetJson(level, row)), 200);
  });

  router.add(routes.get, async (c) => {
    const id = (c.req.valid('param') as Record<string, number>)[level.idParam]!;
    const row = await assets.findById(level, id);
    if (!row) throw notFound(capitalize(level.name));
    return c.json(toAssetJson(level, row), 200);
  });
}

export const assetRoutes: RouteModule = {
  name: 'assets',
  register: (router) => {
    for (const level of ASSET_LEVELS) registerLevel(router, level);
  },
};
