import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assetLevel } from '../assets/levels.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import type { MatrixCall, MatrixCalls } from '../testing/matrix.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { POLICIES } from './policies.ts';
import type { PolicyRow } from './policy.ts';
import type { MembershipRole, PlatformRole } from './roles.ts';

// A client written from the API guide calls every route as every role, on its own
// organization and on another tenant's, and compares each status with the policy table. The
// requests come from every `*.matrix.ts` file, so modules adding routes add their own.
// Request builders live in `*.matrix.ts` files and in `testing/matrix-calls.ts` of a module;
// every export whose name ends with MATRIX_CALLS is merged.
const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const matrixFiles = readdirSync(SOURCE_ROOT, { recursive: true, encoding: 'utf8' }).filter(
  (file) => file.endsWith('.matrix.ts') || file.endsWith(join('testing', 'matrix-calls.ts')),
);
const matrixModules = (await Promise.all(matrixFiles.map((file) => import(join(SOURCE_ROOT, file))))) as Record<string, unknown>[];
const CALLS: MatrixCalls = Object.assign(
  {},
  ...matrixModules.flatMap((module) => Object.entries(module).filter(([name]) => name.endsWith('MATRIX_CALLS')).map(([, calls]) => calls)),
);

type Caller = 'anonymous' | PlatformRole | MembershipRole;
const CALLERS: Caller[] = ['anonymous', 'super_admin', 'platform_manager', 'user', 'admin', 'manager', 'installer', 'viewer'];
// A 403 names the caller's role and the roles the route needs, or states that the caller is no member.
const DENIAL = /: (Your (platform )?role [a-z_]+ .*cannot .+: that needs .+\.|The current user is not a member of organization \d+)$/;
const MEMBER_ROLES = new Set<Caller>(['admin', 'manager', 'installer', 'viewer']);

/**
 * Returns the status the policy promises. Members belong to the first organization, and `own`
 * tells whether the call acts on it or on the second one.
 */
function expectedStatus(row: PolicyRow, caller: Caller, own: boolean, ok: number): number {
  const source = row.source;
  if (source.kind === 'public') return ok;
  if (source.kind === 'device') return ok;
  if (caller === 'anonymous') return 401;
  if (source.kind === 'user') return ok;

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

  async function send(call: MatrixCall, caller: Caller): Promise<Response> {
    const headers: Record<string, string> = { ...call.headers };
    const token = tokens.get(caller);
    if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
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
    const denials: string[] = [];

    for (const own of [true, false]) {
      for (const caller of CALLERS) {
        const org = data.organizations[own ? 0 : 1];
        const call = await CALLS[row.id]!({ api, data, org, n: ++counter, photo, readingIds });
        const response = await send(call, caller);
        const label = `${caller} on ${own ? 'own' : 'other'} organization`;
        actual.push(`${label}: ${response.status}`);
        if (response.status === 403) denials.push(`${label}: ${((await response.json()) as { detail: string }).detail}`);
        expected.push(`${label}: ${expectedStatus(row, caller, own, call.ok)}`);
      }
    }
    expect(actual).toEqual(expected);
    for (const denial of denials) expect(denial).toMatch(DENIAL);
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
