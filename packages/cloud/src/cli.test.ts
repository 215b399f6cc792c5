import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './db/database.ts';
import { verifyDeviceCredentials } from './devices/credentials.ts';
import { createRepositories } from './repositories.ts';
import { freePort } from './testing/services.ts';
import { seed, type SeededOrganization } from './testing/seed.ts';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** tsx's loader by absolute URL, so the CLI also runs from a working directory outside the package. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;


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
  const cli = (args: string[], input?: string, env: Record<string, string> = {}, cwd = PACKAGE_ROOT) =>
    spawnSync(process.execPath, ['--import', TSX_LOADER, join(PACKAGE_ROOT, 'src/cli.ts'), ...args], {
      cwd,
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

  // Settings checked before anything listens: each fails with exit code 1 and one line naming the variable.
  it.each([
    ['another database scheme', { DATABASE_URL: 'mysql://u:p@127.0.0.1/x' }, 'Invalid DATABASE_URL="mysql://u:***@127.0.0.1/x": mysql:// is not supported'],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, 'Invalid LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent.'],
    ['a public URL without scheme', { MQTT_PUBLIC_URL: 'notaurl' }, 'Invalid MQTT_PUBLIC_URL="notaurl": expected a URL starting with mqtt://'],
    ['a hash cost out of range', { PASSWORD_HASH_COST: '99' }, 'Invalid PASSWORD_HASH_COST="99": expected a whole number from 10 to 20.'],
    ['an address that does not resolve', { HOST: '999.1.1.1' }, 'Invalid HOST="999.1.1.1": it is neither an IP address nor a name that resolves'],
  ])('rejects %s in one line', (_case, env, message) => {
    const workDir = mkdtempSync(join(tmpdir(), 'metervision-cli-cwd-'));
    const result = cli([], undefined, { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', ...env }, workDir);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).not.toContain('listening');
    expect(existsSync(join(workDir, 'mysql:'))).toBe(false);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('names an unreachable PostgreSQL', async () => {
    const port = await freePort();
    const result = cli([], undefined, { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATABASE_URL: `postgres://mv:secret@127.0.0.1:${port}/mv` });

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `metervision-cloud: cannot connect to the PostgreSQL database at postgres://mv:***@127.0.0.1:${port}/mv: connect ECONNREFUSED 127.0.0.1:${port}. Check DATABASE_URL and that the server runs.\n`,
    );
  });

  it('names an unreachable Redis', async () => {
    const port = await freePort();
    const result = cli([], undefined, { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'warn', REDIS_URL: `redis://:secret@127.0.0.1:${port}` });

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `metervision-cloud: cannot connect to Redis at REDIS_URL=redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Check REDIS_URL and that the server runs.\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('answers options with the variable', () => {
    const result = cli(['--port', '9000']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('Unknown option --port: the cloud is configured by environment variables, e.g. PORT=9000 pnpm cloud; see pnpm cloud --help\n');
  });

  it('explains an unknown command', () => {
    const result = cli(['frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
  });
});
