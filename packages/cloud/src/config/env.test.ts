import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_HASH_COST, MIN_PASSWORD_HASH_COST } from '../auth/passwords.ts';
import { DEFAULT_LIVENESS } from '../devices/liveness.ts';
import { DEFAULT_INSTALLATION_SETTINGS } from '../installations/settings.ts';
import { ConfigError, ENV_VARIABLES, loadEnvOptions } from './env.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import { resolveOptions } from './options.ts';

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

  it('reads the MQTT packet limit', () => {
    expect(loadEnvOptions({ MQTT_MAX_PACKET_BYTES: '8388608' }).mqttMaxPacketBytes).toBe(8_388_608);
    expect(() => loadEnvOptions({ MQTT_MAX_PACKET_BYTES: '1000' })).toThrow(/Invalid MQTT_MAX_PACKET_BYTES="1000": expected a whole number of at least 65536/);
  });

  it('ignores empty variables', () => {
    expect(loadEnvOptions({ PORT: '', JWT_SECRET: '' })).toEqual({});
  });

  it('reads installation and liveness settings', () => {
    const options = loadEnvOptions({
      HEARTBEAT_INTERVAL_SECONDS: '30',
      OFFLINE_AFTER_MISSED_HEARTBEATS: '5',
      PAIRING_CODE_TTL_SECONDS: '600',
      VALIDATION_HEARTBEAT_WINDOW_SECONDS: '90',
      VALIDATION_MIN_SIGNAL_DBM: '-80',
      VALIDATION_MAX_CLOCK_SKEW_MS: '10000',
      VALIDATION_VALUE_TOLERANCE: '0.05',
      VALIDATION_IMAGE_TIMEOUT_MS: '45000',
    });
    expect(options.liveness).toEqual({ heartbeatIntervalSeconds: 30, missedHeartbeats: 5 });
    expect(options.installations).toEqual({
      pairingCodeTtlSeconds: 600,
      heartbeatWindowSeconds: 90,
      minSignalDbm: -80,
      maxClockSkewMs: 10_000,
      valueTolerance: 0.05,
      imageTimeoutMs: 45_000,
    });
  });

  it('keeps defaults beside set fields', () => {
    const options = resolveOptions(loadEnvOptions({ VALIDATION_VALUE_TOLERANCE: '0.2', OFFLINE_AFTER_MISSED_HEARTBEATS: '4' }), pino({ level: 'silent' }));
    expect(options.installations).toEqual({ ...DEFAULT_INSTALLATION_SETTINGS, valueTolerance: 0.2 });
    expect(options.liveness).toEqual({ ...DEFAULT_LIVENESS, missedHeartbeats: 4 });
  });

  it('rejects out-of-range settings', () => {
    expect(() => loadEnvOptions({ OFFLINE_AFTER_MISSED_HEARTBEATS: '0' })).toThrow('Invalid OFFLINE_AFTER_MISSED_HEARTBEATS="0": expected a whole number of at least 1.');
    expect(() => loadEnvOptions({ PAIRING_CODE_TTL_SECONDS: '1.5' })).toThrow(/expected a whole number of at least 1/);
    expect(() => loadEnvOptions({ VALIDATION_VALUE_TOLERANCE: '-0.1' })).toThrow('Invalid VALIDATION_VALUE_TOLERANCE="-0.1": expected a number of at least 0.');
    expect(() => loadEnvOptions({ VALIDATION_MIN_SIGNAL_DBM: 'weak' })).toThrow('Invalid VALIDATION_MIN_SIGNAL_DBM="weak": expected a number.');
  });

  it('rejects other database schemes', () => {
    expect(() => loadEnvOptions({ DATABASE_URL: 'mysql://u:p@127.0.0.1/x' })).toThrow(
      'Invalid DATABASE_URL="mysql://u:***@127.0.0.1/x": mysql:// is not supported: use a postgres:// or postgresql:// URL for PostgreSQL, or a file path for SQLite.',
    );
  });

  it('accepts database paths and URLs', () => {
    for (const url of ['postgres://u:p@db/x', 'postgresql://db/x', '/var/lib/metervision/db.sqlite', 'data/cloud.db', ':memory:', 'sqlite:cloud.db', 'file:///tmp/cloud.db']) {
      expect(loadEnvOptions({ DATABASE_URL: url }).databaseUrl, url).toBe(url);
    }
  });

  it('rejects an unknown log level', () => {
    expect(() => loadEnvOptions({ LOG_LEVEL: 'loud' })).toThrow('Invalid LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent.');
    expect(loadEnvOptions({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });

  it('rejects a public MQTT URL', () => {
    expect(() => loadEnvOptions({ MQTT_PUBLIC_URL: 'notaurl' })).toThrow(/^Invalid MQTT_PUBLIC_URL="notaurl": expected a URL starting with mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\//);
    expect(() => loadEnvOptions({ MQTT_PUBLIC_URL: 'http://broker:1883' })).toThrow(ConfigError);
    expect(loadEnvOptions({ MQTT_PUBLIC_URL: 'wss://broker.example.com/mqtt' }).mqttPublicUrl).toBe('wss://broker.example.com/mqtt');
  });

  it('masks passwords of bad URLs', () => {
    expect(() => loadEnvOptions({ REDIS_URL: 'http://:secret@cache:6379' })).toThrow('Invalid REDIS_URL="http://:***@cache:6379/"');
    expect(() => loadEnvOptions({ MQTT_BROKER_URL: 'broker://svc:secret@host' })).toThrow('Invalid MQTT_BROKER_URL="broker://svc:***@host"');
  });

  it('limits the password hash cost', async () => {
    expect(() => loadEnvOptions({ PASSWORD_HASH_COST: '99' })).toThrow('Invalid PASSWORD_HASH_COST="99": expected a whole number from 10 to 20.');
    expect(() => loadEnvOptions({ PASSWORD_HASH_COST: '9' })).toThrow(ConfigError);
    expect(loadEnvOptions({ PASSWORD_HASH_COST: '20' }).passwordHashCost).toBe(20);
    await expect(hashPassword('x', MIN_PASSWORD_HASH_COST - 1)).rejects.toThrow(RangeError);
    await expect(hashPassword('x', MAX_PASSWORD_HASH_COST + 1)).rejects.toThrow(RangeError);
  });

  it('maps every variable to an option', () => {
    const defaults = resolveOptions({}, pino({ level: 'silent' })) as unknown as Record<string, Record<string, unknown>>;
    for (const variable of ENV_VARIABLES) {
      const [group, field] = variable.option.split('.') as [string, string | undefined];
      if (field === undefined || group === 'admin') continue;
      expect(defaults[group], variable.name).toHaveProperty(field);
    }
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
