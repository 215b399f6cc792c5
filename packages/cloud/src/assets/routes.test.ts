import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, SEED_LAYOUT, type Seed, type SeededOrganization } from '../testing/seed.ts';

describeEachDialect('asset routes', (target) => {
  let api: TestApp;
  let data: Seed;
  let acme: SeededOrganization;
  let globex: SeededOrganization;
  let manager: string;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'as');
    [acme, globex] = data.organizations;
    manager = await api.login(acme.members.manager, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const post = (path: string, body: unknown) =>
    api.request(path, { method: 'POST', token: manager, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('builds a whole hierarchy', async () => {
    const project = (await (await post('/projects/', { organization_id: acme.id, name: 'North' })).json()) as { id: number };
    const customer = (await (await post('/customers/', { organization_id: acme.id, project_id: project.id, name: 'Utility' })).json()) as { id: number };
    const building = await post('/buildings/', { organization_id: acme.id, customer_id: customer.id, name: 'Block A', address: '2 High Street' });
    expect(building.status).toBe(201);
    const buildingBody = (await building.json()) as { id: number; address: string; customer_id: number };
    expect(buildingBody).toMatchObject({ address: '2 High Street', customer_id: customer.id });

    const place = (await (await post('/places/', { organization_id: acme.id, building_id: buildingBody.id, name: 'Cellar' })).json()) as { id: number };
    const meter = await post('/meters/', { organization_id: acme.id, place_id: place.id, serial_number: 'HIER-1', meter_type: 'gas', layout: SEED_LAYOUT });
    expect(meter.status).toBe(201);
    expect(await meter.json()).toMatchObject({ serial_number: 'HIER-1', meter_type: 'gas', unit: 'm3', place_id: place.id });
  });

  it('rejects a parent of another tenant', async () => {
    const response = await post('/customers/', { organization_id: acme.id, project_id: globex.projectId, name: 'Sneaky' });
    expect(response.status).toBe(404);
  });

  it('rejects another organization id', async () => {
    const response = await post('/projects/', { organization_id: globex.id, name: 'Sneaky' });
    expect(response.status).toBe(403);
  });

  it('rejects a duplicate serial number', async () => {
    const response = await post('/meters/', { organization_id: acme.id, place_id: acme.placeId, serial_number: acme.meterSerial });
    expect(response.status).toBe(409);
  });

  it('rejects an invalid layout per field', async () => {
    const response = await post('/meters/', { organization_id: acme.id, place_id: acme.placeId, serial_number: 'BAD-LAYOUT', layout: { digits: [{ name: 'd0', x: -1, y: 0, width: 0, height: 10 }] } });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: (string | number)[] }[] };
    expect(body.detail.map((issue) => issue.loc.join('.'))).toEqual(expect.arrayContaining(['body.layout.digits.0.x', 'body.layout.digits.0.width']));
  });

  it('rejects a mark image given as a file path', async () => {
    const alignment = { marks: [{ name: 'screw', x: 0, y: 0, width: 8, height: 8, image: '../images/other.jpg' }] };
    const response = await post('/meters/', { organization_id: acme.id, place_id: acme.placeId, serial_number: 'PATH-MARK', layout: { ...SEED_LAYOUT, alignment } });
    expect(response.status).toBe(422);

    const body = (await response.json()) as { detail: { loc: (string | number)[]; msg: string }[] };
    expect(body.detail[0]!.loc.join('.')).toBe('body.layout.alignment.marks.0.image');
    expect(body.detail[0]!.msg).toContain('data:image/png;base64');
  });

  it('returns the latest reading', async () => {
    const capturedAt = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
    for (const [id, minutes] of [['older-reading', 1], ['newer-reading', 2]] as const) {
      await api.repos.readings.insertOnce({ id, organizationId: acme.id, meterId: acme.meterId, source: 'device', status: 'accepted', value: minutes, unit: 'm3', confidence: 0.9, digits: [], pointers: [], capturedAt: capturedAt(minutes), receivedAt: new Date() });
    }
    const response = await api.request(`/meters/${acme.meterSerial}`, { token: manager });
    const meter = (await response.json()) as { latest_reading: { id: string; value: number } };
    expect(meter.latest_reading).toMatchObject({ id: 'newer-reading', value: 2 });

    const list = (await (await api.request(`/meters/${acme.meterSerial}/readings`, { token: manager })).json()) as { id: string }[];
    expect(list.map((reading) => reading.id)).toEqual(['newer-reading', 'older-reading']);
  });

  it('filters readings by status and time', async () => {
    const base = `/meters/${acme.meterSerial}/readings`;
    const since = encodeURIComponent('2026-01-01T00:02:00Z');
    const newer = (await (await api.request(`${base}?since=${since}`, { token: manager })).json()) as { id: string }[];
    expect(newer.map((reading) => reading.id)).toEqual(['newer-reading']);

    const older = (await (await api.request(`${base}?until=${since}&status=accepted`, { token: manager })).json()) as { id: string }[];
    expect(older.map((reading) => reading.id)).toEqual(['older-reading']);

    const flagged = await api.request(`${base}?status=flagged`, { token: manager });
    expect(await flagged.json()).toEqual([]);
    expect((await api.request(`${base}?since=yesterday`, { token: manager })).status).toBe(422);
    expect((await api.request(`${base}?since=0000-01-01T00:00:00Z`, { token: manager })).status).toBe(422);
  });

  it('paginates lists stably', async () => {
    for (let index = 0; index < 5; index++) await post('/projects/', { organization_id: acme.id, name: `Paged ${index}` });
    const first = await api.request('/projects/?limit=2&offset=0', { token: manager });
    const second = await api.request('/projects/?limit=2&offset=2', { token: manager });
    const ids = [...((await first.json()) as { id: number }[]), ...((await second.json()) as { id: number }[])].map((project) => project.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    expect(Number(first.headers.get('x-total-count'))).toBeGreaterThanOrEqual(7);
  });

  it('caps the page size', async () => {
    const response = await api.request('/projects/?limit=100000', { token: manager });
    expect(response.status).toBe(422);
  });

  it('answers without the trailing slash', async () => {
    const withSlash = await api.request('/meters_list/', { token: manager });
    const without = await api.request('/meters_list', { token: manager });
    expect(without.status).toBe(200);
    expect(await without.json()).toEqual(await withSlash.json());
    expect((await post('/projects', { organization_id: acme.id, name: 'No slash' })).status).toBe(201);
  });

  it('updates the meter layout', async () => {
    const response = await api.request(`/meters/${acme.meterSerial}`, {
      method: 'PATCH',
      token: manager,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Main water', layout: { ...SEED_LAYOUT, unit: 'kWh' } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'Main water', layout: expect.objectContaining({ unit: 'kWh', minConfidence: 0.6 }) });
  });
});
