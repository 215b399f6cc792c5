import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { meterLayoutSchema } from '@metervision/protocol';
import { renderMeter, SimulatedDevice } from '@metervision/firmware-sim';
import { parseBenchArgs } from '@metervision/firmware-sim/bench-args';
import pino from 'pino';
import { dialectOf, redactUrl } from '../db/database.ts';
import { startCloud } from '../start.ts';
import { createTestDatabase, startTestPostgres } from '../testing/postgres.ts';
import { seed } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { expectJson, send, startAndPair, waitForValidation, type StatusBody } from './testing/session.ts';

// Benchmark of the 4-stage installation validation (USAGE has the details).

const USAGE = `Usage: npx tsx packages/cloud/src/installations/bench-validation.ts [runs] [database]

Times the validation of a healthy simulated camera on an in-process cloud: POST validate until the
status route shows the result (wall clock, polled every 10 ms), and the run's own duration as the
cloud stored it, per stage. The first run includes starting the OCR worker; the later ones show
the steady state. Prints a Markdown table.

Arguments:
  runs          Validation runs, a whole number (default 10)
  database      sqlite: a database file in a temporary folder (default);
                pg: a throw-away PostgreSQL 15 server on loopback, as the tests start;
                or a postgres:// URL of an existing database, which gets test data seeded into it

Options:
  -h, --help    Print this help

Example: npx tsx packages/cloud/src/installations/bench-validation.ts 11 sqlite
`;

const cli = parseBenchArgs(USAGE, {}, { allowPositionals: true });
if (cli.positionals.length > 2) cli.fail(`Unexpected argument ${JSON.stringify(cli.positionals[2])}: give at most runs and database.`);
const runs = cli.wholeNumber('runs', cli.positionals[0] ?? '10');
const target = cli.positionals[1] ?? 'sqlite';
if (target !== 'sqlite' && target !== 'pg' && dialectOf(target) !== 'pg') {
  cli.fail(`Invalid database ${JSON.stringify(redactUrl(target))}: use sqlite, pg or a postgres:// URL.`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'metervision-bench-validation-'));
const METER_VALUE = 530;

const postgres = target === 'pg' ? await startTestPostgres() : null;
if (postgres && 'skipped' in postgres) throw new Error(postgres.skipped);
let databaseUrl = target === 'sqlite' ? join(dataDir, 'bench.db') : target;
if (postgres) databaseUrl = await createTestDatabase(postgres.url);

const cloud = await startCloud({ port: 0, mqttPort: 0, dataDir, databaseUrl, logger: pino({ level: 'silent' }), jwtSecret: 'bench-signing-key-0123456789abcdefghijklmnop' });
const devices: SimulatedDevice[] = [];
try {
  const data = await seed(cloud.database, cloud.repos, 'bench');
  const acme = data.organizations[0];
  const { layout } = await renderMeter({ value: METER_VALUE });
  await cloud.repos.meters.update(acme.meterId, { layout: meterLayoutSchema.parse(layout) });
  const request = (path: string, init?: RequestInit) => cloud.app.request(path, init);
  const login = await request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
  const token = ((await login.json()) as { access_token: string }).access_token;

  const { started, pairing } = await startAndPair(request, token, acme.meterSerial, 'bench-cam-1');
  devices.push(await SimulatedDevice.start({ deviceId: 'bench-cam-1', brokerUrl: pairing.mqtt_url!, password: pairing.mqtt_password, startValue: METER_VALUE, flowM3PerHour: 0, knobs: { readingIntervalSeconds: 0 } }));
  await waitFor('first heartbeat', async () => (await cloud.repos.devices.latestHeartbeat('bench-cam-1')) !== null, 10_000);

  const results: { wallMs: number; serverMs: number; stages: Record<string, number | null>; result: string }[] = [];
  let last: StatusBody | null = null;
  for (let run = 0; run < runs; run++) {
    const before = performance.now();
    await expectJson(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json: { expected_value: METER_VALUE, meter_serial: acme.meterSerial } }), 202);
    last = await waitForValidation(request, token, started.session_id, 60_000, 10);
    const validation = last.validation!;
    const stages = Object.fromEntries(validation.stages.map((stage) => [stage.name, (stage as { duration_ms?: number | null }).duration_ms ?? null]));
    results.push({ wallMs: Math.round(performance.now() - before), serverMs: validation.duration_ms ?? -1, stages, result: last.status });
  }

  const warm = results.slice(1).map((entry) => entry.wallMs).sort((a, b) => a - b);
  const median = warm.length > 0 ? warm[Math.floor(warm.length / 2)]! : null;
  console.log(`Node ${process.version}, ${cpus().length} cores, ${cloud.database.dialect}, ${results.length} runs`);
  console.log('| run | result | wall ms | server ms | connectivity | image quality | recognition | verification |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  results.forEach((entry, index) => {
    const stages = ['connectivity', 'image_quality', 'recognition', 'verification'].map((name) => entry.stages[name] ?? '-');
    console.log(`| ${index + 1} | ${entry.result} | ${entry.wallMs} | ${entry.serverMs} | ${stages.join(' | ')} |`);
  });
  console.log(`first run ${results[0]?.wallMs} ms (OCR worker start included); later runs: median ${median} ms, max ${warm.at(-1) ?? '-'} ms`);
  for (const stage of last?.validation?.stages ?? []) {
    for (const check of stage.checks) console.log(`${stage.name} ${check.status} ${check.id}: ${(check as { message?: string }).message}`);
  }
} finally {
  await Promise.all(devices.map((device) => device.close()));
  await cloud.close();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
