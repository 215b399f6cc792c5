import { createRoute, z } from '@hono/zod-openapi';
import type { RouteModule } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import { errorResponses, jsonResponse } from '../http/openapi-schemas.ts';
import { setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import { readingListQuery, toReadingFilter, toUnassignedReadingJson, unassignedReadingSchema } from '../readings/schemas.ts';
import { deviceParam } from './routes.ts';
import { imageResponseHeaders } from '../http/image-response.ts';

// Readings a device sent while it was bound to no meter. Ingestion stores them attached to the
// device and leaves them out of meter readings; completing an installation does not move them.

const tags = ['Devices'];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/devices/{device_id}/unassigned-readings',
    tags,
    summary: 'List the readings the device sent while bound to no meter, newest capture first',
    request: { params: deviceParam, query: readingListQuery },
    responses: { 200: jsonResponse(z.array(unassignedReadingSchema), 'Unassigned readings'), ...errorResponses },
  }),
  image: createRoute({
    method: 'get',
    path: '/api/devices/{device_id}/unassigned-readings/{reading_id}/image',
    tags,
    summary: 'Image evidence of one unassigned reading',
    request: { params: deviceParam.extend({ reading_id: z.string().min(1).max(64).openapi({ param: { name: 'reading_id', in: 'path' } }) }) },
    responses: {
      200: { description: 'The image', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...errorResponses,
    },
  }),
};

function register(router: ApiRouter): void {
  const { deps } = router;
  const { devices, unassignedReadings } = deps.repos;

  const deviceOf = async (id: string) => {
    const device = await devices.findById(id);
    if (!device) throw notFound('Device');
    return device;
  };

  router.add(routes.list, async (c) => {
    const device = await deviceOf(c.req.valid('param').device_id);
    const query = c.req.valid('query');
    const page = await unassignedReadings.listForDevice(device.id, query, toReadingFilter(query));
    setTotalCount(c, page.total);
    return c.json(page.items.map(toUnassignedReadingJson), 200);
  });

  router.add(routes.image, async (c) => {
    const params = c.req.valid('param');
    const device = await deviceOf(params.device_id);
    const reading = await unassignedReadings.findForDevice(device.id, params.reading_id);
    if (!reading?.imagePath) throw notFound('Reading image');

    const image = await deps.evidence.load(reading.imagePath);
    return c.body(new Uint8Array(image), 200, imageResponseHeaders(reading.imageContentType ?? 'image/jpeg', 86_400));
  });
}

export const unassignedReadingRoutes: RouteModule = { name: 'unassigned readings', register };
