import { issueDeviceCredentials } from '../../devices/credentials.ts';
import type { MatrixCalls, MatrixContext } from '../../testing/matrix.ts';
import { InstallationsRepo } from '../installations.repo.ts';
import { generatePairingCode, hashPairingCode, normalizePairingCode } from '../pairing-code.ts';
import type { InstallationStatus } from '../types.ts';
import { newValidationRecord } from '../validation/runner.ts';
import { deviceAuthorization, heartbeatBody } from './session.ts';

/**
 * Creates a session of organization `org` in `status` straight in the database, with a camera
 * of its own, and returns its id, pairing code and the camera's secret (when paired).
 */
async function createSession(context: MatrixContext, status: InstallationStatus): Promise<{ id: string; code: string; deviceId: string; secret: string | null }> {
  const { api, org, n } = context;
  const deviceId = `matrix-install-${org.id}-${n}`;
  await api.repos.devices.ensureRegistered(deviceId, org.id);
  const secret = status === 'awaiting_pairing' ? null : (await issueDeviceCredentials(api.database, deviceId)).secret;

  const code = generatePairingCode();
  const id = `matrix-${org.id}-${n}`;
  const validation = status === 'validation_failed' ? { ...newValidationRecord(1, null, null, null), status: 'failed' as const } : null;
  await new InstallationsRepo(api.database).create({
    id,
    organizationId: org.id,
    meterId: org.meterId,
    deviceId,
    status,
    pairingCodeHash: hashPairingCode(normalizePairingCode(code)!),
    pairingExpiresAt: new Date(Date.now() + 600_000),
    validation,
  });
  return { id, code, deviceId, secret };
}

/** Stores an image as the session's latest validation image. */
async function attachImage(context: MatrixContext, id: string): Promise<void> {
  const { api, org } = context;
  const path = await api.deps.evidence.save(org.id, org.meterId, `installation-${id}`, 'image/jpeg', Buffer.from('jpeg bytes'));
  const repo = new InstallationsRepo(api.database);
  const record = { ...newValidationRecord(1, null, null, null), image: { path, contentType: 'image/jpeg' as const, width: 640, height: 480, capturedAt: new Date().toISOString() } };
  await repo.update(id, { validation: record });
}

/**
 * One request per installation policy row, for the access matrix in `src/access/matrix.test.ts`.
 * Every call acts on a session of its own, so calls do not disturb each other.
 */
export const INSTALLATION_MATRIX_CALLS: MatrixCalls = {
  'installations.start': async ({ org, n }) => ({ method: 'POST', path: '/api/installations/start', json: { meter_serial: org.meterSerial, device_id: `matrix-start-${org.id}-${n}` }, ok: 201 }),
  'installations.pair': async (context) => {
    const session = await createSession(context, 'awaiting_pairing');
    return { method: 'POST', path: '/api/installations/pair', json: { pairing_code: session.code, device_id: session.deviceId }, ok: 200 };
  },
  'installations.heartbeat': async (context) => {
    const session = await createSession(context, 'paired');
    return {
      method: 'POST',
      path: '/api/installations/cameras/heartbeat',
      headers: { authorization: deviceAuthorization(session.deviceId, session.secret!), 'content-type': 'application/json' },
      json: JSON.parse(heartbeatBody()),
      ok: 200,
    };
  },
  'installations.validate': async (context) => ({ method: 'POST', path: `/api/installations/${(await createSession(context, 'paired')).id}/validate`, json: {}, ok: 202 }),
  'installations.status': async (context) => ({ method: 'GET', path: `/api/installations/${(await createSession(context, 'paired')).id}/status`, ok: 200 }),
  'installations.complete': async (context) => ({ method: 'POST', path: `/api/installations/${(await createSession(context, 'validation_failed')).id}/complete`, ok: 200 }),
  'installations.revoke': async (context) => ({ method: 'POST', path: `/api/installations/${(await createSession(context, 'paired')).id}/revoke`, ok: 200 }),
  'installations.image': async (context) => {
    const session = await createSession(context, 'validated');
    await attachImage(context, session.id);
    return { method: 'GET', path: `/api/installations/${session.id}/image`, ok: 200 };
  },
};
