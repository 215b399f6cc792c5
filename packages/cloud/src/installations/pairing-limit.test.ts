import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../start.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';

// Pairing attempts are limited per client address, whatever their outcome. The in-process app
// trusts one proxy hop, so each request names its address. The last test goes through a real
// listener, where the TCP peer address counts.

const UNKNOWN_CODE = { pairing_code: 'AAAA-AAAA', device_id: 'cam-limit' };

describe('POST /api/installations/pair limit', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-pair-limit-'));
  let api: TestApp;

  beforeAll(async () => {
    api = await createTestApp({
      databaseUrl: join(dataDir, 'pair.db'),
      dataDir,
      overrides: { trustedProxyHops: 1, rateLimits: { pairing: { burst: 3, perMinute: 6 } } },
    });
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pair = (address: string, body: string = JSON.stringify(UNKNOWN_CODE)) =>
    api.request('/api/installations/pair', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body });

  it('throttles attempts per address', async () => {
    expect((await pair('198.51.100.1')).status).toBe(404);
    expect((await pair('198.51.100.1', '{"pairing_code": 7}')).status).toBe(422);
    expect((await pair('198.51.100.1')).status).toBe(404);

    const throttled = await pair('198.51.100.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('10');
    expect(await throttled.json()).toEqual({ detail: 'Too many pairing attempts from this address: try again in 10 s' });
  });

  it('keeps other addresses apart', async () => {
    for (let attempt = 0; attempt < 4; attempt++) await pair('198.51.100.2');
    expect((await pair('198.51.100.2')).status).toBe(429);
    expect((await pair('198.51.100.3')).status).toBe(404);
  });

  it('documents the 429 answer', async () => {
    const document = (await (await api.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(document.paths['/api/installations/pair']!.post!.responses)).toContain('429');
    expect(Object.keys(document.paths['/token']!.post!.responses)).toContain('429');
  });

  it('counts the TCP peer address', async () => {
    const cloud = await startCloud({
      port: 0,
      mqttPort: 0,
      dataDir: join(dataDir, 'listener'),
      logger: pino({ level: 'silent' }),
      jwtSecret: 'pair-limit-signing-key-0123456789abcdefgh',
      rateLimits: { pairing: { burst: 2, perMinute: 1 } },
    });
    try {
      const attempt = (forwarded: string) =>
        fetch(`${cloud.httpUrl}/api/installations/pair`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded }, body: JSON.stringify(UNKNOWN_CODE) });
      expect((await attempt('192.0.2.1')).status).toBe(404);
      expect((await attempt('192.0.2.2')).status).toBe(404);

      // Without trusted proxies the header is ignored: every attempt came from 127.0.0.1.
      const throttled = await attempt('192.0.2.3');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('60');
    } finally {
      await cloud.close();
    }
  });
});
