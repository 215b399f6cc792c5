import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findBinary, freePort, servicesRequired, waitFor } from './services.ts';

const PG_BIN_DIRS = [process.env.METERVISION_PG_BIN ?? '/usr/lib/postgresql/15/bin'];

/** A PostgreSQL server started for a test run. */
export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL server on loopback: a temp data folder, a free port, no
 * durability (fsync off). PostgreSQL refuses to run as root, so under root the server runs as
 * the `postgres` user. Returns null with the reason when the binaries are missing, and throws
 * instead when METERVISION_REQUIRE_SERVICES=1.
 */
export async function startTestPostgres(): Promise<TestPostgres | { skipped: string }> {
  const initdb = findBinary('initdb', PG_BIN_DIRS);
  const postgres = findBinary('postgres', PG_BIN_DIRS);
  if (!initdb || !postgres) {
    const reason = `PostgreSQL binaries not found in ${PG_BIN_DIRS.join(', ')} or PATH (install Debian's postgresql package)`;
    if (servicesRequired()) throw new Error(`${reason}; METERVISION_REQUIRE_SERVICES=1 forbids skipping`);
    return { skipped: reason };
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-pg-'));
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups', '--'] : [];
  if (asRoot) chownSync(dataDir, uidOf('postgres'), gidOf('postgres'));

  const init = spawnSync(prefix[0] ?? initdb, [...prefix.slice(1), ...(asRoot ? [initdb] : []), '-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr}`);

  const port = await freePort();
  const serverArgs = ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
  const child: ChildProcess = spawn(prefix[0] ?? postgres, [...prefix.slice(1), ...(asRoot ? [postgres] : []), ...serverArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitFor('PostgreSQL', () => canConnect(url), 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`PostgreSQL did not start on port ${port}: ${log}`, { cause: error });
  }

  return {
    url,
    stop: async () => {
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolveDelay) => setTimeout(resolveDelay, 10_000))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a fresh, empty database on the test server and returns its URL. */
export async function createTestDatabase(serverUrl: string): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

function gidOf(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}
