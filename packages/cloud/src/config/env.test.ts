import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadEnvOptions } from './env.ts';
import { resolveJwtSecret } from './jwt-secret.ts';

describe('loadEnvOptions', () => {
  it('reads ports and URLs', () => {
    const options = loadEnvOptions({ PORT: '8080', MQTT_PORT: '0', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379' });
    expect(options).toEqual({ port: 8080, mqttPort: 0, databaseUrl: 'postgres://db/x', redisUrl: 'redis://r:6379' });
  });

  it('rejects an invalid port', () => {
    expect(() => loadEnvOptions({ PORT: 'eighty' })).toThrow(/Invalid PORT="eighty"/);
    expect(() => loadEnvOptions({ MQTT_PORT: '70000' })).toThrow(ConfigError);
  });

  it('needs both admin variables', () => {
    expect(() => loadEnvOptions({ METERVISION_ADMIN_USERNAME: 'admin' })).toThrow(/both/);
    expect(loadEnvOptions({ METERVISION_ADMIN_USERNAME: 'admin', METERVISION_ADMIN_PASSWORD: 'long password' }).admin).toEqual({ username: 'admin', password: 'long password' });
  });

  it('ignores empty variables', () => {
    expect(loadEnvOptions({ PORT: '', JWT_SECRET: '' })).toEqual({});
  });
});

describe('resolveJwtSecret', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-jwt-'));
  const logger = pino({ level: 'silent' });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates and keeps a key', async () => {
    const first = await resolveJwtSecret({ dataDir }, logger);
    const second = await resolveJwtSecret({ dataDir }, logger);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
  });

  it('rejects a short key', async () => {
    await expect(resolveJwtSecret({ dataDir, jwtSecret: 'short' }, logger)).rejects.toThrow(/at least 32/);
  });

  it('prefers the configured key', async () => {
    const key = 'k'.repeat(40);
    expect(new TextDecoder().decode(await resolveJwtSecret({ dataDir, jwtSecret: key }, logger))).toBe(key);
  });
});
