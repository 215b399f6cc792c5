import { createRoute, z } from '@hono/zod-openapi';
import { MAX_IMAGE_BYTES } from '@metervision/vision';
import type { Context } from 'hono';
import type { ApiEnv, RouteModule } from '../http/context.ts';
import { emptyJsonBodyAsNone } from '../http/empty-body.ts';
import { notFound } from '../http/errors.ts';
import { errorResponses, errorSchema, jsonBody, jsonResponse } from '../http/openapi-schemas.ts';
import { limitByAddress, TokenBucketLimiter } from '../http/rate-limit.ts';
import type { ApiRouter } from '../http/router.ts';
import type { WorkflowDeps } from './context.ts';
import { InstallationEventsRepo } from './events.repo.ts';
import { InstallationsRepo, type InstallationRow } from './installations.repo.ts';
import { redeemPairingCode, startInstallation } from './pairing.ts';
import {
  heartbeatResultSchema,
  heartbeatSchema,
  pairingResultSchema,
  pairSchema,
  sessionParam,
  startedSchema,
  startSchema,
  statusSchema,
  toStatusJson,
  validateSchema,
} from './schemas.ts';
import { ValidationRunner } from './validation/runner.ts';
import { completeInstallation, requestValidation, revokeInstallation } from './workflow.ts';
import { imageResponseHeaders } from '../http/image-response.ts';

const tags = ['Installations'];
const conflictResponse = jsonResponse(errorSchema, 'Not possible in the session state; `detail` says what to do');

const routes = {
  start: createRoute({
    method: 'post',
    path: '/api/installations/start',
    tags,
    summary: 'Start an installation session: bind a camera to a meter and issue a pairing code',
    request: { body: jsonBody(startSchema) },
    responses: { 201: jsonResponse(startedSchema, 'Started; the pairing code is shown once'), 409: conflictResponse, ...errorResponses },
  }),
  pair: createRoute({
    method: 'post',
    path: '/api/installations/pair',
    tags,
    summary: "Redeem a pairing code on the camera and receive the camera's MQTT credentials",
    description: 'Called by the camera (metervision-agent pair). The code is the credential: no user token.',
    request: { body: jsonBody(pairSchema) },
    responses: {
      200: jsonResponse(pairingResultSchema, 'Paired; the MQTT password is shown once'),
      404: jsonResponse(errorSchema, 'Unknown pairing code'),
      409: jsonResponse(errorSchema, 'Code used, expired, locked or issued for another camera'),
      422: errorResponses[422],
      429: jsonResponse(errorSchema, 'Too many pairing attempts from this address; `Retry-After` gives the seconds to wait'),
    },
  }),
  heartbeat: createRoute({
    method: 'post',
    path: '/api/installations/cameras/heartbeat',
    tags,
    summary: 'Camera heartbeat over HTTP (the same message as on the MQTT heartbeat topic)',
    request: { body: jsonBody(heartbeatSchema) },
    responses: { 200: jsonResponse(heartbeatResultSchema, 'Recorded'), 401: errorResponses[401], 422: errorResponses[422] },
  }),
  validate: createRoute({
    method: 'post',
    path: '/api/installations/{session_id}/validate',
    tags,
    summary: 'Run the 4-stage validation in the background: connectivity, image quality, recognition, verification',
    request: { params: sessionParam, body: { content: { 'application/json': { schema: validateSchema } }, required: false } },
    middleware: [emptyJsonBodyAsNone] as const,
    responses: { 202: jsonResponse(statusSchema, 'Validation started; follow it with the status route'), 409: conflictResponse, ...errorResponses },
  }),
  status: createRoute({
    method: 'get',
    path: '/api/installations/{session_id}/status',
    tags,
    summary: 'Session state, stage progress with every check, the camera and the event log',
    request: { params: sessionParam },
    responses: { 200: jsonResponse(statusSchema, 'Session'), ...errorResponses },
  }),
  complete: createRoute({
    method: 'post',
    path: '/api/installations/{session_id}/complete',
    tags,
    summary: 'Finish the session: active after a passed validation, otherwise failed with the failing checks',
    request: { params: sessionParam },
    responses: { 200: jsonResponse(statusSchema, 'Completed (status active or failed)'), 409: conflictResponse, ...errorResponses },
  }),
  revoke: createRoute({
    method: 'post',
    path: '/api/installations/{session_id}/revoke',
    tags,
    summary: "Revoke the session camera's credentials and close the session",
    request: { params: sessionParam },
    responses: { 200: jsonResponse(statusSchema, 'Revoked'), 409: conflictResponse, ...errorResponses },
  }),
  image: createRoute({
    method: 'get',
    path: '/api/installations/{session_id}/image',
    tags,
    summary: 'The image the camera sent for the latest validation',
    request: { params: sessionParam },
    responses: { 200: { description: 'The image', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses },
  }),
};

function register(router: ApiRouter): void {
  const workflow = createWorkflow(router);
  const { installations, events } = workflow;
  router.onClose(() => workflow.runner.shutdown(router.deps.options.shutdownTimeoutMs));
  router.resolvers.set('installation', (id) => installations.organizationOf(id));

  const load = async (id: string): Promise<InstallationRow> => {
    const installation = await installations.findById(id);
    if (!installation) throw notFound('Installation');
    return installation;
  };
  const status = async (installation: InstallationRow) => {
    const [meter, device, heartbeat, log] = await Promise.all([
      workflow.repos.meters.findById(installation.meterId),
      workflow.repos.devices.findById(installation.deviceId),
      workflow.repos.devices.latestHeartbeat(installation.deviceId),
      events.list(installation.id),
    ]);
    // A camera this session left unpaired may now belong to another organization, whose camera state this session must not show.
    const ownDevice = device?.organizationId === installation.organizationId ? device : null;
    return toStatusJson({ installation, meterSerial: meter?.serialNumber ?? '', device: ownDevice, heartbeat: ownDevice ? heartbeat : null, events: log });
  };
  const userId = (c: Context<ApiEnv>) => c.get('principal').user.id;

  router.add(routes.start, async (c) => {
    const body = c.req.valid('json');
    const meter = (await workflow.repos.meters.findBySerial(body.meter_serial))!;
    const { installation, pairingCode } = await startInstallation(workflow, { meter, deviceId: body.device_id, userId: userId(c), schedule: body.schedule ?? null });
    const pairCommand = `metervision-agent pair --code ${pairingCode} --device-id ${body.device_id} --cloud ${new URL(c.req.url).origin}`;
    return c.json({ ...(await status(installation)), pairing_code: pairingCode, pair_command: pairCommand }, 201);
  });

  // Every attempt counts, including malformed ones: the middleware runs before body validation.
  const pairingLimiter = new TokenBucketLimiter(router.deps.options.rateLimits.pairing);
  const pairingLimit = limitByAddress(pairingLimiter, router.deps.options.trustedProxyHops, 'Too many pairing attempts from this address', workflow.logger);
  router.add({ ...routes.pair, middleware: [pairingLimit] }, async (c) => {
    const body = c.req.valid('json');
    return c.json(await redeemPairingCode(workflow, body.pairing_code, body.device_id), 200);
  });

  router.add(routes.heartbeat, async (c) => {
    const device = c.get('device');
    const receivedAt = new Date();
    const heartbeat = c.req.valid('json');
    await workflow.repos.devices.saveHeartbeat(device.id, heartbeat, 'http', receivedAt);
    const clockSkewMs = new Date(heartbeat.sentAt).getTime() - receivedAt.getTime();
    return c.json({ device_id: device.id, received_at: receivedAt.toISOString(), clock_skew_ms: clockSkewMs }, 200);
  });

  router.add(routes.validate, async (c) => {
    const body = (c.req.valid('json') as z.infer<typeof validateSchema> | undefined) ?? {};
    const installation = await load(c.req.valid('param').session_id);
    const started = await requestValidation(workflow, installation, { userId: userId(c), expectedValue: body.expected_value, confirmedSerial: body.meter_serial });
    return c.json(await status(started), 202);
  });

  router.add(routes.status, async (c) => c.json(await status(await load(c.req.valid('param').session_id)), 200));

  router.add(routes.complete, async (c) => {
    const installation = await load(c.req.valid('param').session_id);
    return c.json(await status(await completeInstallation(workflow, installation, userId(c))), 200);
  });

  router.add(routes.revoke, async (c) => {
    const installation = await load(c.req.valid('param').session_id);
    return c.json(await status(await revokeInstallation(workflow, installation, userId(c))), 200);
  });

  router.add(routes.image, async (c) => {
    const image = (await load(c.req.valid('param').session_id)).validation?.image;
    if (!image) throw notFound('Validation image');
    const bytes = await router.deps.evidence.load(image.path);
    return c.body(new Uint8Array(bytes), 200, imageResponseHeaders(image.contentType, 60));
  });
}

/** Builds the workflow's repositories, settings and validation runner over the app's dependencies. */
function createWorkflow(router: ApiRouter): WorkflowDeps {
  const { deps } = router;
  const settings = deps.options.installations;
  const installations = new InstallationsRepo(deps.database);
  const events = new InstallationEventsRepo(deps.database);
  const logger = deps.logger.child({ module: 'installations' });
  const runner = new ValidationRunner({
    devices: deps.repos.devices,
    meters: deps.repos.meters,
    bus: deps.bus,
    reader: deps.reader,
    evidence: deps.evidence,
    settings,
    imageLimits: { maxBytes: MAX_IMAGE_BYTES, maxPixels: deps.options.maxImagePixels },
    installations,
    events,
    logger,
  });
  return { database: deps.database, repos: deps.repos, installations, events, runner, bus: deps.bus, settings, mqttPublicUrl: deps.options.mqttPublicUrl ?? null, logger };
}

export const installationRoutes: RouteModule = { name: 'installations', register };
