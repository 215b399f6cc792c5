import { createRoute, z } from '@hono/zod-openapi';
import { DEVICE_ID_PATTERN, meterSerialSchema } from '@metervision/protocol';
import { listScope } from '../access/principal.ts';
import type { RouteModule } from '../http/context.ts';
import { notFound } from '../http/errors.ts';
import { conflictResponse, errorResponses, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { organizationFilter, paginationQuery, setTotalCount } from '../http/pagination.ts';
import type { ApiRouter } from '../http/router.ts';
import { issueDeviceCredentials, registerDevice, revokeDeviceCredentials } from './credentials.ts';
import type { DeviceRow } from './devices.repo.ts';

const tags = ['Devices'];
const deviceIdSchema = z.string().regex(DEVICE_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, "-" or "_"');
/** Path parameter `device_id` of the device routes. */
export const deviceParam = z.object({ device_id: deviceIdSchema.openapi({ param: { name: 'device_id', in: 'path' }, example: 'cam-1' }) });

const deviceSchema = z
  .object({
    id: z.string(),
    organization_id: z.number().int(),
    meter_id: z.number().int().nullable(),
    status: z.enum(['never_seen', 'online', 'offline']),
    last_seen_at: z.string().nullable(),
    firmware_version: z.string().nullable(),
    signal_dbm: z.number().nullable(),
    free_memory_bytes: z.number().nullable(),
    uptime_seconds: z.number().nullable(),
    outbox_pending: z.number().nullable(),
    config_version: z.number().nullable(),
    last_error: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
    has_credentials: z.boolean(),
    revoked_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Device');

const credentialsSchema = z
  .object({
    device_id: z.string(),
    mqtt_url: z.string().nullable(),
    mqtt_username: z.string(),
    mqtt_password: z.string().openapi({ description: 'Shown once; only its hash is stored.' }),
    device: deviceSchema,
  })
  .openapi('DeviceCredentials');

const routes = {
  create: createRoute({
    method: 'post',
    path: '/api/devices/',
    tags,
    summary: 'Register a device for a meter and issue its MQTT credentials',
    request: { body: jsonBody(z.object({ device_id: deviceIdSchema, meter_serial: meterSerialSchema }).openapi('DeviceCreate')) },
    responses: { 201: jsonResponse(credentialsSchema, 'Registered; the secret is shown once'), 409: conflictResponse, ...errorResponses },
  }),
  list: createRoute({
    method: 'get',
    path: '/api/devices/',
    tags,
    summary: "List devices of the caller's organizations",
    request: { query: z.object({ ...paginationQuery, organization_id: organizationFilter }) },
    responses: { 200: jsonResponse(z.array(deviceSchema), 'Devices'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/devices/{device_id}',
    tags,
    summary: 'Get a device with its last reported health',
    request: { params: deviceParam },
    responses: { 200: jsonResponse(deviceSchema, 'Device'), ...errorResponses },
  }),
  rotate: createRoute({
    method: 'post',
    path: '/api/devices/{device_id}/credentials',
    tags,
    summary: 'Issue a new secret; the previous one stops working',
    request: { params: deviceParam },
    responses: { 200: jsonResponse(credentialsSchema, 'New credentials'), ...errorResponses },
  }),
  revoke: createRoute({
    method: 'delete',
    path: '/api/devices/{device_id}/credentials',
    tags,
    summary: 'Revoke the credentials of a device',
    request: { params: deviceParam },
    responses: { 204: { description: 'Revoked' }, ...errorResponses },
  }),
};

export function toDeviceJson(row: DeviceRow) {
  return {
    id: row.id,
    organization_id: row.organizationId,
    meter_id: row.meterId,
    status: row.status,
    last_seen_at: row.lastSeenAt?.toISOString() ?? null,
    firmware_version: row.firmwareVersion,
    signal_dbm: row.signalDbm,
    free_memory_bytes: row.freeMemoryBytes,
    uptime_seconds: row.uptimeSeconds,
    outbox_pending: row.outboxPending,
    config_version: row.configVersion,
    last_error: row.lastError ?? null,
    has_credentials: row.credentialHash !== null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

function register(router: ApiRouter): void {
  const { deps } = router;
  const { devices, meters } = deps.repos;
  const credentialsJson = (issued: { deviceId: string; secret: string; device: DeviceRow }) => ({
    device_id: issued.deviceId,
    mqtt_url: deps.options.mqttPublicUrl ?? null,
    mqtt_username: issued.deviceId,
    mqtt_password: issued.secret,
    device: toDeviceJson(issued.device),
  });

  router.resolvers.set('device', (id) => devices.organizationOf(id));

  router.add(routes.create, async (c) => {
    const body = c.req.valid('json');
    const meter = await meters.findBySerial(body.meter_serial);
    if (!meter) throw notFound('Meter');

    const issued = await registerDevice(deps.database, { deviceId: body.device_id, organizationId: meter.organizationId, meterId: meter.id });
    return c.json(credentialsJson(issued), 201);
  });

  router.add(routes.list, async (c) => {
    const query = c.req.valid('query');
    const page = await devices.list(listScope(c.get('principal'), query.organization_id), query);
    setTotalCount(c, page.total);
    return c.json(page.items.map(toDeviceJson), 200);
  });

  router.add(routes.get, async (c) => {
    const device = await devices.findById(c.req.valid('param').device_id);
    if (!device) throw notFound('Device');
    return c.json(toDeviceJson(device), 200);
  });

  router.add(routes.rotate, async (c) => {
    const issued = await issueDeviceCredentials(deps.database, c.req.valid('param').device_id);
    return c.json(credentialsJson(issued), 200);
  });

  router.add(routes.revoke, async (c) => {
    await revokeDeviceCredentials(deps.database, c.req.valid('param').device_id);
    deps.bus?.disconnectDevice(c.req.valid('param').device_id);
    return c.body(null, 204);
  });
}

export const deviceRoutes: RouteModule = { name: 'devices', register };
