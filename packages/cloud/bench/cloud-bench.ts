// Load benchmark of the cloud HTTP API with autocannon on loopback (USAGE has the details).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from '@metervision/firmware-sim/bench-args';
import autocannon from 'autocannon';
import pino from 'pino';
import { dialectOf, openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/repositories.ts';
import { createTestDatabase, startTestPostgres } from '../src/testing/postgres.ts';
import { freePort, waitFor } from '../src/testing/services.ts';
import { seed } from '../src/testing/seed.ts';
import { signAccessToken } from '../src/auth/tokens.ts';
import { DEFAULT_PASSWORD_HASH_COST, hashPassword } from '../src/auth/passwords.ts';

const USAGE = `Usage: [VARIABLE=VALUE ...] pnpm --filter @metervision/cloud bench

Measures the cloud HTTP API with autocannon on loopback: requests per second and p50/p99 latency
of GET /meters_list/ (50 meters, a valid token, 10 connections) and of POST /token (the production
scrypt cost, 4 connections). The cloud runs in a child process, as \`pnpm cloud\` does, so the load
generator does not share its event loop. Prints a Markdown table; any non-2xx response fails the
run.

Options:
  -h, --help            Print this help

Environment:
  BENCH_SECONDS         Duration of each run in seconds, a whole number (default 10)
  BENCH_DIALECT         sqlite: a database file in a temporary folder (default);
                        pg: a PostgreSQL 15 server started on loopback for the run
  BENCH_DATABASE_URL    An existing database instead: a postgres:// URL or a SQLite file path.
                        The benchmark seeds test organizations into it. BENCH_DIALECT may then
                        be left unset; when set, it must match the URL.

Example: BENCH_SECONDS=5 BENCH_DIALECT=pg pnpm --filter @metervision/cloud bench
`;

const cli = parseBenchArgs(USAGE, {});
// An empty variable counts as unset, as in a shell's 'BENCH_DIALECT= pnpm …'.
const SECONDS = cli.wholeNumber('BENCH_SECONDS', process.env.BENCH_SECONDS || '10');
const DATABASE_URL = process.env.BENCH_DATABASE_URL || undefined;
const DIALECT = selectDialect(process.env.BENCH_DIALECT || undefined, DATABASE_URL);

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

function selectDialect(dialect: string | undefined, databaseUrl: string | undefined): 'sqlite' | 'pg' {
  const urlDialect = databaseUrl === undefined ? undefined : dialectOf(databaseUrl);
  if (dialect !== undefined && dialect !== 'sqlite' && dialect !== 'pg') {
    return cli.fail(`Invalid BENCH_DIALECT ${JSON.stringify(dialect)}: use sqlite or pg.`);
  }

  // The URL is not printed because it may contain a password.
  if (dialect !== undefined && urlDialect !== undefined && dialect !== urlDialect) {
    return cli.fail(`BENCH_DIALECT=${dialect} does not match BENCH_DATABASE_URL, which names a ${urlDialect === 'pg' ? 'PostgreSQL' : 'SQLite'} database: unset BENCH_DIALECT.`);
  }
  return dialect ?? urlDialect ?? 'sqlite';
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
  const postgres = DIALECT === 'pg' && DATABASE_URL === undefined ? await startTestPostgres() : null;
  if (postgres && 'skipped' in postgres) throw new Error(`BENCH_DIALECT=pg: ${postgres.skipped}`);
  const databaseUrl = DATABASE_URL ?? (postgres ? await createTestDatabase(postgres.url) : join(dataDir, 'bench.db'));
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
