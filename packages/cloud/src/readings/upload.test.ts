import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { pngWithDeclaredSize } from '../testing/images.ts';
import { seed, type Seed, type SeededOrganization } from '../testing/seed.ts';

describeEachDialect('reading upload', (target) => {
  let api: TestApp;
  let data: Seed;
  let acme: SeededOrganization;
  let token: string;
  let jpeg: Buffer;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'up');
    acme = data.organizations[0];
    token = await api.login(acme.members.installer, data.password);
    jpeg = await sharp({ create: { width: 320, height: 120, channels: 3, background: '#eeeeee' } }).jpeg().toBuffer();
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const upload = (file: Buffer, name = 'meter.jpg', serial = acme.meterSerial) => {
    const form = new FormData();
    form.set('file', new File([new Uint8Array(file)], name));
    return api.request(`/meters/${serial}/reading`, { method: 'POST', body: form, token });
  };

  it('stores a read photo', async () => {
    const response = await upload(jpeg);
    expect(response.status).toBe(201);

    const reading = (await response.json()) as { id: string; source: string; uploaded_by: number; status: string; image_url: string };
    const installer = await api.repos.users.findByUsername(acme.members.installer);
    expect(reading.source).toBe('upload');
    expect(reading.uploaded_by).toBe(installer!.id);
    expect(['accepted', 'flagged', 'failed']).toContain(reading.status);

    const image = await api.request(reading.image_url, { token });
    expect(image.status).toBe(200);
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(Buffer.from(await image.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it('lists the upload newest first', async () => {
    await upload(jpeg);
    const response = await api.request(`/meters/${acme.meterSerial}/readings?limit=1`, { token });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('x-total-count'))).toBeGreaterThanOrEqual(2);
    expect((await response.json()) as unknown[]).toHaveLength(1);
  });

  it('rejects an empty file', async () => {
    const response = await upload(Buffer.alloc(0));
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/empty/);
  });

  it('rejects a text file', async () => {
    const response = await upload(Buffer.from('these are not the pixels you are looking for\n'), 'notes.txt');
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toContain('send a JPEG, PNG or WebP photo');
  });

  it('accepts a WebP photo', async () => {
    const webp = await sharp({ create: { width: 320, height: 120, channels: 3, background: '#eeeeee' } }).webp().toBuffer();
    expect((await upload(webp, 'meter.webp')).status).toBe(201);
  });

  it('rejects a truncated JPEG', async () => {
    const response = await upload(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    expect(response.status).toBe(422);
  });

  it('rejects a 20000×20000 PNG', async () => {
    const response = await upload(pngWithDeclaredSize(20_000, 20_000), 'bomb.png');
    expect(response.status).toBe(413);
  });

  it('rejects a body over the limit', async () => {
    const small = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir, overrides: { maxUploadBytes: 4096 } });
    try {
      const seeded = (await seed(small.database, small.repos, 'small')).organizations[0];
      const installer = await small.login(seeded.members.installer, data.password);
      const form = new FormData();
      form.set('file', new File([new Uint8Array(200_000)], 'big.jpg'));
      const response = await small.request(`/meters/${seeded.meterSerial}/reading`, { method: 'POST', body: form, token: installer });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('keeps serving after bad uploads', async () => {
    expect((await api.request('/healthz')).status).toBe(200);
  });

  it('rejects a missing file part', async () => {
    const form = new FormData();
    form.set('photo', 'text');
    const response = await api.request(`/meters/${acme.meterSerial}/reading`, { method: 'POST', body: form, token });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: string[] }[] };
    expect(body.detail[0]!.loc).toEqual(['body', 'file']);
  });

  it('rejects a meter without layout', async () => {
    const admin = await api.login(acme.members.admin, data.password);
    await api.request('/meters/', {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organization_id: acme.id, place_id: acme.placeId, serial_number: 'NO-LAYOUT-1' }),
    });
    const response = await upload(jpeg, 'meter.jpg', 'NO-LAYOUT-1');
    expect(response.status).toBe(409);
  });
});
