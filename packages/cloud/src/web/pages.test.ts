import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { revokeDeviceCredentials } from '../devices/credentials.ts';
import { InstallationsRepo } from '../installations/installations.repo.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { seedInstallation, seedReadings, type SeededReading } from './testing.ts';

const ORIGIN = 'http://localhost';
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

describeEachDialect('dashboard pages', (target) => {
  let api: TestApp;
  let data: Seed;
  let acmeReadings: SeededReading[];
  let globexReadings: SeededReading[];
  const sessions: string[] = [];
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'pages');
    acmeReadings = await seedReadings(api.repos, api.deps.evidence, data.organizations[0], { count: 6, startValue: 120 });
    globexReadings = await seedReadings(api.repos, api.deps.evidence, data.organizations[1], { count: 3, startValue: 900 });
    for (const organization of data.organizations) sessions.push(await seedInstallation(api.database, api.deps.evidence, organization));
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  async function cookieOf(username: string): Promise<string> {
    const known = cookies.get(username);
    if (known) return known;

    const response = await api.request('/login', { method: 'POST', headers: { origin: ORIGIN }, body: new URLSearchParams({ username, password: data.password }) });
    expect(response.status, `sign-in of ${username}`).toBe(303);
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    cookies.set(username, cookie);
    return cookie;
  }

  async function get(path: string, username: string): Promise<Response> {
    return api.request(path, { headers: { cookie: await cookieOf(username) } });
  }

  const acme = () => data.organizations[0];
  const globex = () => data.organizations[1];
  const foreignMarkers = () => [globex().name, globex().meterSerial, globex().deviceId];

  it('fleet lists own cameras only', async () => {
    const response = await get('/', acme().members.viewer);
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain(`data-device-id="${acme().deviceId}"`);
    for (const marker of foreignMarkers()) expect(page).not.toContain(marker);
  });

  it('meter tree shows the hierarchy', async () => {
    const page = await (await get('/ui/meters', acme().members.viewer)).text();
    for (const level of ['project', 'customer', 'building', 'basement']) expect(page).toContain(`${acme().name} ${level}`);
    expect(page).toContain(acme().meterSerial);
    expect(page).toContain(`${acmeReadings.at(-1)!.value} m3`);
    for (const marker of foreignMarkers()) expect(page).not.toContain(marker);
  });

  it('meter search narrows the tree', async () => {
    const hit = await (await get('/ui/meters?q=BASEMENT', data.platform.platform_manager)).text();
    const miss = await (await get('/ui/meters?q=no%25such_thing', data.platform.platform_manager)).text();
    const globexOnly = await (await get(`/ui/meters?q=${encodeURIComponent(globex().name)}`, data.platform.platform_manager)).text();

    expect(hit).toContain(acme().meterSerial);
    expect(hit).toContain(globex().meterSerial);
    expect(miss).toContain('No meter matches this search.');
    expect(globexOnly).toContain(globex().meterSerial);
    expect(globexOnly).not.toContain(acme().meterSerial);
  });

  it('rejects an overlong search', async () => {
    const response = await get(`/ui/meters?q=${'x'.repeat(101)}`, acme().members.viewer);
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('use at most 100');
  });

  it('meter page shows readings and chart', async () => {
    const response = await get(`/ui/meters/${acme().meterSerial}`, acme().members.viewer);
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('id="meter-chart"');
    expect(page).toContain(`id="latest-value">${acmeReadings.at(-1)!.value} m3`);
    for (const reading of acmeReadings) expect(page).toContain(`data-reading-id="${reading.id}"`);

    const series = /data-series="([^"]+)"/.exec(page)![1]!.replaceAll('&quot;', '"');
    const parsed = JSON.parse(series) as { t: number[]; v: number[] };
    expect(parsed.v).toEqual(acmeReadings.map((reading) => reading.value));
  });

  it('hides other tenants meter pages', async () => {
    const meter = await get(`/ui/meters/${globex().meterSerial}`, acme().members.viewer);
    const reading = await get(`/ui/meters/${globex().meterSerial}/readings/${globexReadings[0]!.id}`, acme().members.viewer);
    const image = await get(`/ui/meters/${globex().meterSerial}/readings/${globexReadings[0]!.id}/evidence`, acme().members.viewer);

    expect(meter.status).toBe(404);
    expect(await meter.text()).toContain('Meter not found');
    expect(reading.status).toBe(404);
    expect(image.status).toBe(404);
  });

  it('hides readings of another meter', async () => {
    const response = await get(`/ui/meters/${acme().meterSerial}/readings/${globexReadings[0]!.id}`, acme().members.admin);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Reading not found');
  });

  it('user without memberships sees nothing', async () => {
    const fleet = await (await get('/', data.platform.user)).text();
    const meters = await (await get('/ui/meters', data.platform.user)).text();
    const meter = await get(`/ui/meters/${acme().meterSerial}`, data.platform.user);

    expect(fleet).toContain('No cameras are registered in your organizations yet.');
    expect(meters).toContain('No meters in your organizations yet.');
    expect(meter.status).toBe(404);
  });

  it('platform manager sees every organization', async () => {
    const page = await (await get('/', data.platform.platform_manager)).text();
    expect(page).toContain(`data-device-id="${acme().deviceId}"`);
    expect(page).toContain(`data-device-id="${globex().deviceId}"`);
  });

  it('reading page shows confidence and digits', async () => {
    const reading = acmeReadings[2]!;
    const page = await (await get(`/ui/meters/${acme().meterSerial}/readings/${reading.id}`, acme().members.installer)).text();
    expect(page).toContain('id="reading-confidence">92 %');
    expect(page).toContain(`/readings/${reading.id}/evidence`);
    const lastDigit = String(Math.floor(reading.value)).at(-1);
    expect(page).toContain(`<tr><td>d4</td><td>wheel</td><td>${lastDigit}</td><td>95 %</td></tr>`);
  });

  it('evidence image is annotated JPEG', async () => {
    const response = await get(`/ui/meters/${acme().meterSerial}/readings/${acmeReadings[0]!.id}/evidence`, acme().members.viewer);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('x-evidence-annotated')).toBe('true');
    expect([...body.slice(0, 3)]).toEqual(JPEG_MAGIC);
  });

  it('evidence needs a session', async () => {
    const response = await api.request(`/ui/meters/${acme().meterSerial}/readings/${acmeReadings[0]!.id}/evidence`);
    expect(response.status).toBe(401);
  });

  it('serves uPlot from node_modules', async () => {
    const page = await (await get(`/ui/meters/${acme().meterSerial}`, acme().members.viewer)).text();
    const url = /src="(\/ui\/static\/uplot\.min\.js\?v=[0-9a-f]+)"/.exec(page)![1]!;
    const response = await api.request(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('javascript');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toContain('uPlot');
  });

  it('answers unknown assets 404', async () => {
    expect((await api.request('/ui/static/..%2F..%2Fpackage.json')).status).toBe(404);
    expect((await api.request('/ui/static/session.ts')).status).toBe(404);
  });

  it('streams fleet changes as events', async () => {
    const controller = new AbortController();
    const response = await api.request('/ui/fleet/events', { headers: { cookie: await cookieOf(acme().members.viewer) }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');

    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    controller.abort();

    expect(text).toMatch(/^event: fleet\ndata: /);
    const snapshot = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as { counts: Record<string, number>; cameras: { id: string }[] };
    expect(snapshot.cameras.map((camera) => camera.id)).toEqual([acme().deviceId]);
    expect(snapshot.counts).toEqual({ online: 0, offline: 0, never_seen: 1 });
  });

  it('lists open installation sessions', async () => {
    const page = await (await get('/ui/installations', acme().members.viewer)).text();
    expect(page).toContain(`data-installation-id="${sessions[0]}"`);
    expect(page).not.toContain(sessions[1]!);
    expect(page).toContain('title="Recognition: failed"');
  });

  it('installation page shows every check', async () => {
    const response = await get(`/ui/installations/${sessions[0]}`, acme().members.installer);
    const page = await response.text();
    expect(response.status).toBe(200);
    for (const stage of ['connectivity', 'image_quality', 'recognition', 'verification']) expect(page).toContain(`data-stage="${stage}"`);
    expect(page).toContain('<dd data-field="measured">-61 dBm</dd>');
    expect(page).toContain('<dd data-field="threshold">≥ -80 dBm</dd>');
    expect(page).toContain('<dd data-field="threshold">60–200</dd>');
    expect(page).toContain('Move the digit ROIs onto the wheels in the layout editor.');
    expect(page).toContain('Recognition failed, so there is no value to compare.');
    expect(page).toContain('data-refresh-ms="10000"');
  });

  it('hides other tenants sessions', async () => {
    const page = await get(`/ui/installations/${sessions[1]}`, acme().members.admin);
    const image = await get(`/ui/installations/${sessions[1]}/image`, acme().members.admin);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Installation not found');
    expect(image.status).toBe(404);
  });

  it('validation image is annotated', async () => {
    const response = await get(`/ui/installations/${sessions[0]}/image`, acme().members.viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-evidence-annotated')).toBe('true');
    expect([...new Uint8Array(await response.arrayBuffer()).slice(0, 3)]).toEqual(JPEG_MAGIC);
  });

  async function post(path: string, username: string, fields: Record<string, string>, origin = ORIGIN): Promise<Response> {
    return api.request(path, { method: 'POST', headers: { cookie: await cookieOf(username), origin }, body: new URLSearchParams(fields) });
  }

  async function statusOf(id: string): Promise<string | undefined> {
    return (await new InstallationsRepo(api.database).findById(id))?.status;
  }

  it('installer sees the validate form', async () => {
    const installer = await (await get(`/ui/installations/${sessions[0]}`, acme().members.installer)).text();
    const viewer = await (await get(`/ui/installations/${sessions[0]}`, acme().members.viewer)).text();
    expect(installer).toContain('id="validate-form"');
    expect(installer).toContain('Close as failed');
    expect(viewer).not.toContain('<form method="post" action="/ui/installations');
  });

  it('installer validates from the page', async () => {
    const id = await seedInstallation(api.database, api.deps.evidence, acme(), { suffix: '-validate' });
    const response = await post(`/ui/installations/${id}`, acme().members.installer, { action: 'validate', expected_value: '12345,5', meter_serial: '' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/ui/installations/${id}`);

    const stored = await new InstallationsRepo(api.database).findById(id);
    expect(stored?.validationRuns).toBe(2);
    expect(stored?.expectedValue).toBe(12345.5);
    await expect.poll(() => statusOf(id), { timeout: 10_000 }).not.toBe('validating');
  });

  it('invalid value keeps typed values', async () => {
    const response = await post(`/ui/installations/${sessions[0]}`, acme().members.installer, { action: 'validate', expected_value: '12a4', meter_serial: 'PLATE-7' });
    const page = await response.text();
    expect(response.status).toBe(422);
    expect(page).toContain('The value on the meter &quot;12a4&quot; is not a decimal number');
    expect(page).toContain('value="12a4"');
    expect(page).toContain('value="PLATE-7"');
    expect(await statusOf(sessions[0]!)).toBe('validation_failed');
  });

  it('unpaired camera shows the conflict', async () => {
    const id = await seedInstallation(api.database, api.deps.evidence, acme(), { suffix: '-unpaired', status: 'awaiting_pairing' });
    const response = await post(`/ui/installations/${id}`, acme().members.installer, { action: 'validate', expected_value: '12345' });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('The camera is not paired yet');
  });

  it('installer completes a passed run', async () => {
    const id = await seedInstallation(api.database, api.deps.evidence, acme(), { suffix: '-passed', status: 'validated' });
    expect(await (await get(`/ui/installations/${id}`, acme().members.installer)).text()).toContain('Complete installation');

    const response = await post(`/ui/installations/${id}`, acme().members.installer, { action: 'complete' });
    expect(response.status).toBe(303);
    const page = await (await get(`/ui/installations/${id}`, acme().members.installer)).text();
    expect(page).toContain('id="installation-status">active</span>');
    expect(page).not.toContain('id="validate-form"');
  });

  it('viewer forged post is 403', async () => {
    const response = await post(`/ui/installations/${sessions[0]}`, acme().members.viewer, { action: 'complete' });
    expect(response.status).toBe(403);
    expect(await statusOf(sessions[0]!)).toBe('validation_failed');
  });

  it('foreign session post is 404', async () => {
    const response = await post(`/ui/installations/${sessions[1]}`, acme().members.admin, { action: 'complete' });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Installation not found');
    expect(await statusOf(sessions[1]!)).toBe('validation_failed');
  });

  it('cross-site form post is rejected', async () => {
    const response = await post(`/ui/installations/${sessions[0]}`, acme().members.installer, { action: 'complete' }, 'https://evil.example');
    expect(response.status).toBe(403);
    expect(await statusOf(sessions[0]!)).toBe('validation_failed');
  });

  it('revoked camera is shown', async () => {
    await revokeDeviceCredentials(api.database, globex().deviceId);
    const page = await (await get(`/ui/installations/${sessions[1]}`, globex().members.viewer)).text();
    expect(page).toContain('id="camera-revoked-badge">revoked</span>');
    expect(page).toContain("The camera's credentials were revoked");
  });
});
