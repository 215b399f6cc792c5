import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assetLevel } from '../assets/levels.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, SEED_LAYOUT, type Seed, type SeededOrganization } from '../testing/seed.ts';
import { POLICIES } from './policies.ts';
import type { PolicyRow } from './policy.ts';
import type { MembershipRole, PlatformRole } from './roles.ts';

// A client written from the API guide calls every route as every role, on its own
// organization and on another tenant's, and compares each status with the policy table.

type Caller = 'anonymous' | PlatformRole | MembershipRole;
const CALLERS: Caller[] = ['anonymous', 'super_admin', 'platform_manager', 'user', 'admin', 'manager', 'installer', 'viewer'];
const MEMBER_ROLES = new Set<Caller>(['admin', 'manager', 'installer', 'viewer']);

interface Call {
  method: string;
  path: string;
  json?: unknown;
  body?: FormData | URLSearchParams;
  /** Status of a permitted call. */
  ok: number;
}

interface Context {
  api: TestApp;
  data: Seed;
  org: SeededOrganization;
  n: number;
  photo: Buffer;
  readingIds: Map<number, string>;
}

const assetCalls = (plural: 'projects' | 'customers' | 'buildings' | 'places', parent: (org: SeededOrganization) => Record<string, number>, id: (org: SeededOrganization) => number) => ({
  [`${plural}.create`]: ({ org, n }: Context): Call => ({ method: 'POST', path: `/${plural}/`, json: { organization_id: org.id, name: `${plural} ${n}`, ...parent(org) }, ok: 201 }),
  [`${plural}.list`]: (): Call => ({ method: 'GET', path: `/${plural}/`, ok: 200 }),
  [`${plural}.get`]: ({ org }: Context): Call => ({ method: 'GET', path: `/${plural}/${id(org)}`, ok: 200 }),
});

/** One request per policy row, acting on `ctx.org`. */
const CALLS: Record<string, (ctx: Context) => Call | Promise<Call>> = {
  health: () => ({ method: 'GET', path: '/healthz', ok: 200 }),
  'auth.token': ({ data }) => ({ method: 'POST', path: '/token', body: new URLSearchParams({ username: data.platform.user, password: data.password }), ok: 200 }),
  'users.me': () => ({ method: 'GET', path: '/users/me', ok: 200 }),
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

/**
 * The status the policy promises. Members are members of the first organization; `own` says
 * whether the call acts on it or on the second one.
 */
function expectedStatus(row: PolicyRow, caller: Caller, own: boolean, ok: number): number {
  const source = row.source;
  if (source.kind === 'public') return ok;
  if (caller === 'anonymous') return 401;
  if (source.kind === 'user' || source.kind === 'device') return ok;

  const platformAllowed = caller === 'super_admin' || (row.platform ?? []).includes(caller as PlatformRole);
  if (source.kind === 'platform') return platformAllowed ? ok : 403;
  if (platformAllowed) return ok;

  const role = own && MEMBER_ROLES.has(caller) ? (caller as MembershipRole) : null;
  const hidden = source.kind === 'resource' || source.from === 'param';
  if (role === null) return hidden ? 404 : 403;
  return (row.organization ?? []).includes(role) ? ok : 403;
}

describeEachDialect('access matrix', (target) => {
  let api: TestApp;
  let data: Seed;
  let photo: Buffer;
  const tokens = new Map<Caller, string>();
  const readingIds = new Map<number, string>();
  let counter = 0;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'mx');
    photo = await sharp({ create: { width: 320, height: 120, channels: 3, background: '#f4f4f4' } }).png().toBuffer();

    const [acme] = data.organizations;
    for (const caller of CALLERS) {
      if (caller === 'anonymous') continue;
      const username = MEMBER_ROLES.has(caller) ? acme.members[caller as MembershipRole] : data.platform[caller as PlatformRole];
      tokens.set(caller, await api.login(username, data.password));
    }

    for (const org of data.organizations) {
      const id = `matrix-reading-${org.id}`;
      const imagePath = await api.deps.evidence.save(org.id, org.meterId, id, 'image/png', photo);
      await api.repos.readings.insertOnce({
        id,
        organizationId: org.id,
        meterId: org.meterId,
        source: 'device',
        status: 'accepted',
        value: 1,
        unit: 'm3',
        confidence: 0.9,
        digits: [],
        pointers: [],
        capturedAt: new Date(),
        receivedAt: new Date(),
        imagePath,
        imageContentType: 'image/png',
      });
      readingIds.set(org.id, id);
    }
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  async function send(call: Call, caller: Caller): Promise<Response> {
    const headers: Record<string, string> = {};
    const token = tokens.get(caller);
    if (token) headers.authorization = `Bearer ${token}`;
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const body = call.json !== undefined ? JSON.stringify(call.json) : call.body;
    return api.request(call.path, { method: call.method, headers, body });
  }

  it('has a request for every policy row', () => {
    expect(POLICIES.map((row) => row.id).filter((id) => !CALLS[id])).toEqual([]);
  });

  it.each(POLICIES.map((row) => [row.id, row] as const))('enforces %s for every role', async (_id, row) => {
    const actual: string[] = [];
    const expected: string[] = [];

    for (const own of [true, false]) {
      for (const caller of CALLERS) {
        const org = data.organizations[own ? 0 : 1];
        const call = await CALLS[row.id]!({ api, data, org, n: ++counter, photo, readingIds });
        const response = await send(call, caller);
        const label = `${caller} on ${own ? 'own' : 'other'} organization`;
        actual.push(`${label}: ${response.status}`);
        expected.push(`${label}: ${expectedStatus(row, caller, own, call.ok)}`);
      }
    }
    expect(actual).toEqual(expected);
  });

  it('never shows another tenant to members', async () => {
    const [, globex] = data.organizations;
    const foreign = [globex.name, globex.meterSerial, globex.deviceId, ...Object.values(globex.members)];
    const reads = POLICIES.filter((row) => row.method === 'get');

    for (const caller of ['user', 'admin', 'manager', 'installer', 'viewer'] as Caller[]) {
      for (const row of reads) {
        for (const org of data.organizations) {
          const call = await CALLS[row.id]!({ api, data, org, n: ++counter, photo, readingIds });
          const text = await (await send(call, caller)).text();
          for (const marker of foreign) expect(text, `${caller} GET ${call.path}`).not.toContain(marker);
        }
      }
    }
  });

  it('lists only own organizations', async () => {
    const [acme] = data.organizations;
    const response = await send({ method: 'GET', path: '/meters_list/', ok: 200 }, 'viewer');
    const meters = (await response.json()) as { organization_id: number }[];
    expect(meters.length).toBeGreaterThan(0);
    expect(new Set(meters.map((meter) => meter.organization_id))).toEqual(new Set([acme.id]));

    const place = await api.repos.assets.findById(assetLevel('place'), acme.placeId);
    expect(place?.organizationId).toBe(acme.id);
  });
});
