import { SEED_LAYOUT, type SeededOrganization } from '../testing/seed.ts';
import type { MatrixCall, MatrixCalls, MatrixContext } from '../testing/matrix.ts';

// Requests of the access matrix for the core routes; see `src/testing/matrix.ts`.

const assetCalls = (plural: 'projects' | 'customers' | 'buildings' | 'places', parent: (org: SeededOrganization) => Record<string, number>, id: (org: SeededOrganization) => number) => ({
  [`${plural}.create`]: ({ org, n }: MatrixContext): MatrixCall => ({ method: 'POST', path: `/${plural}/`, json: { organization_id: org.id, name: `${plural} ${n}`, ...parent(org) }, ok: 201 }),
  [`${plural}.list`]: (): MatrixCall => ({ method: 'GET', path: `/${plural}/`, ok: 200 }),
  [`${plural}.get`]: ({ org }: MatrixContext): MatrixCall => ({ method: 'GET', path: `/${plural}/${id(org)}`, ok: 200 }),
});

/** One request per core policy row, acting on `org`. */
export const MATRIX_CALLS: MatrixCalls = {
  health: () => ({ method: 'GET', path: '/healthz', ok: 200 }),
  'auth.token': ({ data }) => ({ method: 'POST', path: '/token', body: new URLSearchParams({ username: data.platform.user, password: data.password }), ok: 200 }),
  'users.me': () => ({ method: 'GET', path: '/users/me', ok: 200 }),
  // A wrong current password keeps every caller's password intact: 422 is the permitted outcome.
  'users.me.password': () => ({ method: 'POST', path: '/users/me/password', json: { current_password: 'not the password', new_password: 'a new long password' }, ok: 422 }),
  'users.list': () => ({ method: 'GET', path: '/api/users/', ok: 200 }),
  'users.update': async ({ api, n }) => {
    const user = await api.repos.users.create({ username: `matrix-managed-${n}`, passwordHash: 'unused' });
    return { method: 'PATCH', path: `/api/users/${user.id}`, json: { platform_role: 'platform_manager' }, ok: 200 };
  },
  'organizations.create': ({ n }) => ({ method: 'POST', path: '/api/organizations/', json: { name: `matrix org ${n}` }, ok: 201 }),
  'organizations.list': () => ({ method: 'GET', path: '/api/organizations/', ok: 200 }),
  'organizations.mine': () => ({ method: 'GET', path: '/api/organizations/my-organizations', ok: 200 }),
  'organizations.get': ({ org }) => ({ method: 'GET', path: `/api/organizations/${org.id}`, ok: 200 }),
  'organizations.users.assign': ({ org, n }) => ({
    method: 'POST',
    path: `/api/organizations/${org.id}/users`,
    json: { username: `matrix-user-${n}`, password: 'long enough password', role: 'viewer' },
    ok: 201,
  }),
  'organizations.users.list': ({ org }) => ({ method: 'GET', path: `/api/organizations/${org.id}/users`, ok: 200 }),
  'organizations.users.remove': async ({ api, org, n }) => {
    const user = await api.repos.users.create({ username: `matrix-removable-${n}`, passwordHash: 'unused' });
    await api.repos.memberships.upsert(user.id, org.id, 'viewer');
    return { method: 'DELETE', path: `/api/organizations/${org.id}/users/${user.id}`, ok: 204 };
  },
  ...assetCalls('projects', () => ({}), (org) => org.projectId),
  ...assetCalls('customers', (org) => ({ project_id: org.projectId }), (org) => org.customerId),
  ...assetCalls('buildings', (org) => ({ customer_id: org.customerId }), (org) => org.buildingId),
  ...assetCalls('places', (org) => ({ building_id: org.buildingId }), (org) => org.placeId),
  'meters.create': ({ org, n }) => ({
    method: 'POST',
    path: '/meters/',
    json: { organization_id: org.id, place_id: org.placeId, serial_number: `MX-${n}`, layout: SEED_LAYOUT },
    ok: 201,
  }),
  'meters.list': () => ({ method: 'GET', path: '/meters_list/', ok: 200 }),
  'meters.get': ({ org }) => ({ method: 'GET', path: `/meters/${org.meterSerial}`, ok: 200 }),
  'meters.update': ({ org, n }) => ({ method: 'PATCH', path: `/meters/${org.meterSerial}`, json: { name: `renamed ${n}` }, ok: 200 }),
  'readings.upload': ({ org, photo }) => {
    const form = new FormData();
    form.set('file', new File([new Uint8Array(photo)], 'meter.png', { type: 'image/png' }));
    return { method: 'POST', path: `/meters/${org.meterSerial}/reading`, body: form, ok: 201 };
  },
  'readings.list': ({ org }) => ({ method: 'GET', path: `/meters/${org.meterSerial}/readings`, ok: 200 }),
  'readings.image': ({ org, readingIds }) => ({ method: 'GET', path: `/meters/${org.meterSerial}/readings/${readingIds.get(org.id)}/image`, ok: 200 }),
  'devices.create': ({ org, n }) => ({ method: 'POST', path: '/api/devices/', json: { device_id: `matrix-cam-${n}`, meter_serial: org.meterSerial }, ok: 201 }),
  'devices.list': () => ({ method: 'GET', path: '/api/devices/', ok: 200 }),
  'devices.get': ({ org }) => ({ method: 'GET', path: `/api/devices/${org.deviceId}`, ok: 200 }),
  'devices.credentials.rotate': ({ org }) => ({ method: 'POST', path: `/api/devices/${org.deviceId}/credentials`, ok: 200 }),
  'devices.credentials.revoke': ({ org }) => ({ method: 'DELETE', path: `/api/devices/${org.deviceId}/credentials`, ok: 204 }),
};
