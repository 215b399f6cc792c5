import { renderMeter } from '@metervision/firmware-sim';
import { meterLayoutSchema } from '@metervision/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';

describeEachDialect('server-side reading', (target) => {
  let api: TestApp;
  let acme: SeededOrganization;
  let token: string;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    const data = await seed(api.database, api.repos, 'rr');
    acme = data.organizations[0];
    token = await api.login(acme.members.manager, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  // No rules (null) means the defaults, which reject a value below the previous one.
  const uploadRendered = async (value: number, plausibility: { allowNegativeRate: boolean } | null = null) => {
    const rendered = await renderMeter({ value, wheels: 5, pointers: 0, seed: 7, noise: 0, blur: 0, format: 'jpeg' });
    await api.repos.meters.update(acme.meterId, { layout: meterLayoutSchema.parse(rendered.layout), plausibility });
    const form = new FormData();
    form.set('file', new File([new Uint8Array(rendered.image)], 'meter.jpg'));
    const response = await api.request(`/meters/${acme.meterSerial}/reading`, { method: 'POST', body: form, token });
    expect(response.status).toBe(201);
    return (await response.json()) as { status: string; value: number | null; raw_value: number | null; reason_code: string | null };
  };

  it('reads a rendered meter', async () => {
    const reading = await uploadRendered(4217);
    expect(reading.status).toBe('accepted');
    expect(reading.value).toBe(4217);
  });

  it('rejects a value running backwards', async () => {
    const reading = await uploadRendered(4100);
    expect(reading.status).toBe('rejected');
    expect(reading.value).toBeNull();
    expect(reading.raw_value).toBe(4100);
    expect(reading.reason_code).toBe('negative_rate');
  });

  it('accepts it where the meter allows', async () => {
    const reading = await uploadRendered(4050, { allowNegativeRate: true });
    expect(reading.status).toBe('accepted');
    expect(reading.value).toBe(4050);
  });
});
