// Load benchmark of the cloud HTTP API with autocannon on loopback: `GET /meters_list/` with a
// valid token, and `POST /token`. The cloud runs in a child process (as `pnpm cloud` does) so the
// load generator does not share its event loop. Usage: `pnpm --filter @metervision/cloud bench`;
// BENCH_SECONDS (default 10) sets each run's duration; BENCH_DIALECT=pg runs on a PostgreSQL 15
// server started on loopback for the run, BENCH_DATABASE_URL on an existing database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pino from 'pino';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/repositories.ts';
import { createTestDatabase, startTestPostgres } from '../src/testing/postgres.ts';
import { freePort, waitFor } from '../src/testing/services.ts';
import { seed } from '../src/testing/seed.ts';
import { signAccessToken } from '../src/auth/tokens.ts';
import { DEFAULT_PASSWORD_HASH_COST, hashPassword } from '../src/auth/passwords.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const METERS = 50;
const JWT_SECRET = 'bench-only-signing-key-0123456789abcdefghijklmnop';
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Result {
  name: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function prepare(databaseUrl: string) {
  const database = await openDatabase({ url: databaseUrl, logger: pino({ level: 'silent' }) });
  const repos = createRepositories(database);
  const data = await seed(database, repos, `bench${Date.now()}`);
  const [acme] = data.organizations;
  for (let index = 1; index < METERS; index++) {
    await repos.meters.create({ organizationId: acme.id, placeId: acme.placeId, serialNumber: `${acme.name}-extra-${index}`, meterType: 'water', unit: 'm3' });
  }
  const viewer = (await repos.users.findByUsername(acme.members.viewer))!;
  // Seeded users share a cheap hash; the login benchmark needs the production cost.
  await repos.users.setPassword(viewer.id, await hashPassword(data.password, DEFAULT_PASSWORD_HASH_COST));
  await database.close();
  return { data, viewer: viewer.username, viewerId: viewer.id };
}

function run(name: string, options: autocannon.Options): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolveRun({
        name,
        connections: options.connections ?? 10,
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        total: result.requests.total,
      });
    });
  });
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-bench-'));
  const postgres = process.env.BENCH_DIALECT === 'pg' ? await startTestPostgres() : null;
  if (postgres && 'skipped' in postgres) throw new Error(`BENCH_DIALECT=pg: ${postgres.skipped}`);
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? (postgres ? await createTestDatabase(postgres.url) : join(dataDir, 'bench.db'));
  const { data, viewer, viewerId } = await prepare(databaseUrl);
  const port = await freePort();

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: packageRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MQTT_PORT: '0', DATABASE_URL: databaseUrl, METERVISION_DATA_DIR: dataDir, JWT_SECRET, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;

  try {
    await waitFor('cloud', async () => (await fetch(`${url}/healthz`)).ok, 30_000);
    const settings = { secret: new TextEncoder().encode(JWT_SECRET), issuer: 'metervision', audience: 'metervision-api', expiresInSeconds: 3600 };
    const token = await signAccessToken(settings, viewerId, viewer);

    const results = [
      await run('GET /meters_list/ (50 meters, valid token)', { url: `${url}/meters_list/`, connections: 10, duration: SECONDS, headers: { authorization: `Bearer ${token}` } }),
      await run('POST /token (scrypt N=2^17)', {
        url: `${url}/token`,
        method: 'POST',
        connections: 4,
        duration: SECONDS,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: viewer, password: data.password }).toString(),
      }),
    ];

    console.log(`\nMachine: ${cpus().length} cores, Node ${process.version}, load average before: ${loadBefore.map((value) => value.toFixed(2)).join(' ')}`);
    console.log(`Database: ${databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}; ${SECONDS} s per run\n`);
    console.log('| Endpoint | Connections | Requests | Requests/s | p50 ms | p99 ms | non-2xx | errors |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const result of results) {
      console.log(`| ${result.name} | ${result.connections} | ${result.total} | ${result.requestsPerSecond.toFixed(1)} | ${result.p50} | ${result.p99} | ${result.non2xx} | ${result.errors} |`);
    }

    // Every request here is valid. The login limiter spends tokens only on failed logins, so a
    // 401 or 429 means a broken setup and figures that do not measure the intended path.
    const failing = results.filter((result) => result.non2xx > 0);
    if (failing.length > 0) throw new Error(`Non-2xx responses in: ${failing.map((result) => result.name).join('; ')}. The figures above are not valid.`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolveExit) => child.once('exit', resolveExit));
    if (postgres && !('skipped' in postgres)) await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
