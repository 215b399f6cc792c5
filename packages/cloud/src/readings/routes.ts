import { createRoute, z } from '@hono/zod-openapi';
import { serialParam } from '../assets/meters.schemas.ts';
import type { RouteModule } from '../http/context.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { errorResponses, errorSchema, jsonResponse } from '../http/openapi-schemas.ts';
import { setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import { readingListQuery, readingSchema, toReadingFilter, toReadingJson } from './schemas.ts';
import { storeUploadedReading } from './upload.ts';
import { imageResponseHeaders } from '../http/image-response.ts';

const tags = ['Readings'];

const uploadFormSchema = z.object({
  file: z
    .instanceof(File, { message: 'must be a file part named "file"' })
    .openapi({ type: 'string', format: 'binary', description: 'JPEG, PNG or WebP photo of the meter.' }),
});

const routes = {
  upload: createRoute({
    method: 'post',
    path: '/meters/{serial_number}/reading',
    tags,
    summary: "Upload a photo; the server reads it with the meter's layout and stores the reading",
    request: { params: serialParam, body: { content: { 'multipart/form-data': { schema: uploadFormSchema } }, required: true } },
    responses: {
      201: jsonResponse(readingSchema, 'Stored reading (accepted, flagged or failed)'),
      409: jsonResponse(errorSchema, 'The meter has no layout'),
      413: jsonResponse(errorSchema, 'File or image too large'),
      415: jsonResponse(errorSchema, 'Not an accepted image format'),
      503: jsonResponse(errorSchema, 'Server-side reading unavailable'),
      ...errorResponses,
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/meters/{serial_number}/readings',
    tags,
    summary: 'List the readings of a meter, newest capture first',
    request: {
      params: serialParam,
      query: readingListQuery,
    },
    responses: { 200: jsonResponse(z.array(readingSchema), 'Readings'), ...errorResponses },
  }),
  image: createRoute({
    method: 'get',
    path: '/meters/{serial_number}/readings/{reading_id}/image',
    tags,
    summary: 'Image evidence of one reading',
    request: { params: serialParam.extend({ reading_id: z.string().min(1).max(64).openapi({ param: { name: 'reading_id', in: 'path' } }) }) },
    responses: {
      200: { description: 'The image', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...errorResponses,
    },
  }),
};

function register(router: ApiRouter): void {
  const { deps } = router;
  const { meters, readings } = deps.repos;

  const meterOf = async (serial: string) => {
    const meter = await meters.findBySerial(serial);
    if (!meter) throw notFound('Meter');
    return meter;
  };

  router.add(routes.upload, async (c) => {
    const meter = await meterOf(c.req.valid('param').serial_number);
    const file = c.req.valid('form').file;
    if (file.size > deps.options.maxUploadBytes) {
      throw new HttpError(413, `The uploaded file is ${file.size} bytes: the limit is ${deps.options.maxUploadBytes} bytes`);
    }

    const row = await storeUploadedReading(deps, meter, Buffer.from(await file.arrayBuffer()), c.get('principal').user.id);
    return c.json(toReadingJson(row, meter.serialNumber), 201);
  });

  router.add(routes.list, async (c) => {
    const meter = await meterOf(c.req.valid('param').serial_number);
    const query = c.req.valid('query');
    const page = await readings.listForMeter(meter.id, query, toReadingFilter(query));
    setTotalCount(c, page.total);
    return c.json(page.items.map((row) => toReadingJson(row, meter.serialNumber)), 200);
  });

  router.add(routes.image, async (c) => {
    const params = c.req.valid('param');
    const meter = await meterOf(params.serial_number);
    const reading = await readings.findForMeter(meter.id, params.reading_id);
    if (!reading?.imagePath) throw notFound('Reading image');

    const image = await deps.evidence.load(reading.imagePath);
    return c.body(new Uint8Array(image), 200, imageResponseHeaders(reading.imageContentType ?? 'image/jpeg', 86_400));
  });
}

export const readingRoutes: RouteModule = { name: 'readings', register };
