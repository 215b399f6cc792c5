import { createRoute, z } from '@hono/zod-openapi';
import { listScope } from '../access/principal.ts';
import type { RouteModule } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import { conflictResponse, errorResponses, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { organizationFilter, paginationQuery, setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import { createMeterSchema, meterSchema, meterWithReadingSchema, serialParam, toMeterJson, toMeterWithReadingJson, updateMeterSchema } from './meters.schemas.ts';

const tags = ['Meters'];

const routes = {
  create: createRoute({
    method: 'post',
    path: '/meters/',
    tags,
    summary: 'Create a meter under a place',
    request: { body: jsonBody(createMeterSchema) },
    responses: { 201: jsonResponse(meterSchema, 'Created'), 409: conflictResponse, ...errorResponses },
  }),
  list: createRoute({
    method: 'get',
    path: '/meters_list/',
    tags,
    summary: "List meters of the caller's organizations, by id",
    request: {
      query: z.object({ ...paginationQuery, organization_id: organizationFilter, place_id: z.coerce.number().int().positive().optional() }),
    },
    responses: { 200: jsonResponse(z.array(meterSchema), 'Meters'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/meters/{serial_number}',
    tags,
    summary: 'Get a meter by serial number, with its latest reading',
    request: { params: serialParam },
    responses: { 200: jsonResponse(meterWithReadingSchema, 'Meter'), ...errorResponses },
  }),
  update: createRoute({
    method: 'patch',
    path: '/meters/{serial_number}',
    tags,
    summary: 'Change the layout, plausibility rules, name, type, unit or status of a meter',
    request: { params: serialParam, body: jsonBody(updateMeterSchema) },
    responses: { 200: jsonResponse(meterSchema, 'Meter'), ...errorResponses },
  }),
};

function register(router: ApiRouter): void {
  const { meters, readings } = router.deps.repos;
  router.resolvers.set('meter', (serial) => meters.organizationOf(serial));

  router.add(routes.create, async (c) => {
    const body = c.req.valid('json');
    const row = await meters.create({
      organizationId: body.organization_id,
      placeId: body.place_id,
      serialNumber: body.serial_number,
      name: body.name ?? null,
      meterType: body.meter_type,
      unit: body.unit ?? body.layout?.unit ?? 'm3',
      status: body.status,
      layout: body.layout ?? null,
      plausibility: body.plausibility ?? null,
    });
    return c.json(toMeterJson(row), 201);
  });

  router.add(routes.list, async (c) => {
    const query = c.req.valid('query');
    const page = await meters.list(listScope(c.get('principal'), query.organization_id), query.place_id, query);
    setTotalCount(c, page.total);
    return c.json(page.items.map(toMeterJson), 200);
  });

  router.add(routes.get, async (c) => {
    const meter = await meters.findBySerial(c.req.valid('param').serial_number);
    if (!meter) throw notFound('Meter');
    return c.json(toMeterWithReadingJson(meter, await readings.latestForMeter(meter.id)), 200);
  });

  router.add(routes.update, async (c) => {
    const meter = await meters.findBySerial(c.req.valid('param').serial_number);
    if (!meter) throw notFound('Meter');

    const body = c.req.valid('json');
    const row = await meters.update(meter.id, {
      name: body.name,
      meterType: body.meter_type,
      unit: body.unit,
      status: body.status,
      layout: body.layout,
      plausibility: body.plausibility,
    });
    return c.json(toMeterJson(row), 200);
  });
}

export const meterRoutes: RouteModule = { name: 'meters', register };
