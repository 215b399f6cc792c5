import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './db/database.ts';
import { verifyDeviceCredentials } from './devices/credentials.ts';
import { createRepositories } from './repositories.ts';
import { seed, type SeededOrganization } from './testing/seed.ts';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('cloud CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-cli-'));
  const databaseUrl = join(dataDir, 'cli.db');
  let acme: SeededOrganization;

  beforeAll(async () => {
    const database = await openDatabase({ url: databaseUrl, logger: pino({ level: 'silent' }) });
    acme = (await seed(database, createRepositories(database), 'cli')).organizations[0];
    await database.close();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // The timeout turns a process that never exits into a failed test instead of a stuck run.
  const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: PACKAGE_ROOT,
      input,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATABASE_URL: databaseUrl, METERVISION_DATA_DIR: dataDir, PASSWORD_HASH_COST: '10', METERVISION_ADMIN_PASSWORD: '', ...env },
    });

  it.each([
    ['HTTP', 'PORT', 'MQTT_PORT'],
    ['MQTT', 'MQTT_PORT', 'PORT'],
  ])('exits with a clear error when the %s port is taken', async (_listener, taken, free) => {
    const blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
    const port = (blocker.address() as AddressInfo).port;

    const result = cli(['serve'], undefined, { HOST: '127.0.0.1', [taken]: String(port), [free]: '0', LOG_LEVEL: 'silent' });
    await new Promise<void>((resolveClose) => blocker.close(() => resolveClose()));

    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port}: the port is already in use`);
    expect(result.stderr).toContain(`set ${taken} to a free port`);
  });

  it('registers a device and prints its secret', async () => {
    const result = cli(['device', 'add', '--meter', acme.meterSerial, '--id', 'cli-cam-2']);
    expect(result.status).toBe(0);
    const secret = /MQTT password \(shown once, store it on the device\): (\S+)/.exec(result.stdout)?.[1];
    expect(secret).toBeDefined();

    const database = await openDatabase({ url: databaseUrl, logger: pino({ level: 'silent' }) });
    expect(await verifyDeviceCredentials(database, 'cli-cam-2', secret!)).not.toBeNull();
    await database.close();
  });

  it('rejects an unknown meter', () => {
    const result = cli(['device', 'add', '--meter', 'NO-SUCH-METER', '--id', 'cli-cam-3']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Meter NO-SUCH-METER not found');
  });

  it('creates a super admin from stdin', async () => {
    const result = cli(['admin', 'create', '--username', 'cli-root'], 'a long password\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('Super admin cli-root created.\n');

    const database = await openDatabase({ url: databaseUrl, logger: pino({ level: 'silent' }) });
    expect((await createRepositories(database).users.findByUsername('cli-root'))?.platformRole).toBe('super_admin');
    await database.close();
  });

  it('explains an unknown command', () => {
    const result = cli(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
  });
});
