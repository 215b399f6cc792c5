import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pairDevice, resolveAgentConfig, startAgent, type AgentHandle } from '@metervision/agent';
import { startCloud, type CloudHandle } from '@metervision/cloud';
import { VirtualCamera } from '@metervision/firmware-sim';
import type { MeterLayoutInput } from '@metervision/protocol';
import pino from 'pino';
import { ApiClient } from './demo/api-client.ts';
import { DemoDataDirError, prepareDemoDataDir } from './demo/data-dir.ts';
import { describeValidation, startInstallation, validateInstallation } from './demo/install.ts';
import { seedDemoMeter } from './demo/seed.ts';

const HELP = `Usage: pnpm start [options]

Runs all of MeterVision on this machine with the embedded defaults: the cloud (HTTP API,
dashboard and MQTT broker on SQLite), a virtual camera in front of a synthetic water meter, and
an edge agent installed on that meter through the installer workflow (pairing code, 4-stage
validation, completion). Readings then arrive every --interval seconds until Ctrl+C.

Options:
  --port N          HTTP port of the cloud (default 8000; a free port when 8000 is taken)
  --mqtt-port N     MQTT port of the embedded broker (default 1883; a free port when taken)
  --data-dir DIR    Database, images and agent state of the demo (default .metervision/demo).
                    The demo empties it at each start, so it must be a new or empty folder or
                    one an earlier demo made; one demo at a time may use it
  --interval S      Seconds between scheduled readings, 5-3600 (default 15)
  --flow M3H        Water flow through the simulated meter in m³/h, 0-100 (default 0.6)
  --verbose         Print the cloud's and the agent's logs (JSON, pino)
  -h, --help        Print this help
`;

const METER_SERIAL = 'DEMO-0001';
const DEVICE_ID = 'demo-cam-1';
const ADMIN_USERNAME = 'admin';
// Between wheel transitions and pointer ticks, so the first validation captures a steady picture.
const START_VALUE = 321.2345;
const READING_POLL_MS = 2_000;
const ONLINE_TIMEOUT_MS = 30_000;
const VALIDATION_ATTEMPTS = 3;

interface DemoOptions {
  port: number;
  mqttPort: number;
  dataDir: string;
  intervalSeconds: number;
  flowM3PerHour: number;
  verbose: boolean;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }

  const logger = pino({ name: 'metervision-demo', level: options.verbose ? 'info' : 'warn' });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };

  try {
    const dataDirLock = await prepareDemoDataDir(options.dataDir);
    stops.push(() => dataDirLock.release());
  } catch (error) {
    if (!(error instanceof DemoDataDirError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }

  try {
    await runDemo(options, logger, stops);
  } catch (error) {
    process.stderr.write(`\nThe demo failed: ${(error as Error).message}\n`);
    await stopAll();
    return 1;
  }

  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
  say('\nStopping the agent, the camera and the cloud ...');
  await stopAll();
  say('Stopped.');
  return 0;
}

async function runDemo(options: DemoOptions, logger: pino.Logger, stops: (() => Promise<void>)[]): Promise<void> {
  const adminPassword = randomBytes(9).toString('base64url');

  say(`Data directory: ${options.dataDir} (emptied)`);
  const camera = await VirtualCamera.start({ startValue: START_VALUE, flowM3PerHour: options.flowM3PerHour, logger: logger.child({ module: 'camera' }) });
  stops.push(() => camera.close());
  say(`Virtual camera:  ${camera.url}/capture (meter at ${camera.status().text} m³, flow ${options.flowM3PerHour} m³/h)`);

  const cloud = await startCloud({
    host: '127.0.0.1',
    port: await freePortOr(options.port),
    mqttPort: await freePortOr(options.mqttPort),
    dataDir: join(options.dataDir, 'cloud'),
    admin: { username: ADMIN_USERNAME, password: adminPassword },
    logger: logger.child({ module: 'cloud' }),
  });
  stops.push(() => cloud.close());
  say(`Cloud:           ${cloud.httpUrl} (MQTT ${cloud.mqttUrl})`);

  const api = new ApiClient(cloud.httpUrl);
  await api.login(ADMIN_USERNAME, adminPassword);
  const layout = (await (await fetch(`${camera.url}/layout`)).json()) as MeterLayoutInput;
  await seedDemoMeter(api, METER_SERIAL, layout);
  say(`Meter ${METER_SERIAL} created in "Demo Water Utility" > Smart metering pilot > Riverside Housing > Riverside 12 > Basement`);

  const agent = await installCamera(api, cloud, camera, layout, options, logger);
  stops.push(() => agent.close());

  printWhereToLook(cloud, adminPassword);
  const poller = followReadings(api, camera);
  stops.push(async () => clearInterval(poller));
}

/** Installs the camera as an installer would: starts a session, pairs the agent, validates and completes. */
async function installCamera(
  api: ApiClient,
  cloud: CloudHandle,
  camera: VirtualCamera,
  layout: MeterLayoutInput,
  options: DemoOptions,
  logger: pino.Logger,
): Promise<AgentHandle> {
  const session = await startInstallation(api, METER_SERIAL, DEVICE_ID, options.intervalSeconds);
  say(`Installation ${session.session_id} started; pairing code ${session.pairing_code}`);

  const stateDir = join(options.dataDir, 'agent');
  await pairDevice({ cloudUrl: cloud.httpUrl, code: session.pairing_code, deviceId: DEVICE_ID, stateDir });
  const config = await resolveAgentConfig({
    deviceId: DEVICE_ID,
    stateDir,
    logLevel: options.verbose ? 'info' : 'warn',
    cloud: { url: cloud.httpUrl },
    source: { type: 'http', url: `${camera.url}/capture` },
    meter: { meterSerial: METER_SERIAL, layout, schedule: { intervalSeconds: options.intervalSeconds } },
    heartbeat: { intervalSeconds: 30 },
    watchdog: false,
  });
  const agent = await startAgent(config, { logger: logger.child({ module: 'agent' }) });
  say(`Agent ${DEVICE_ID} paired and connected; it reads ${camera.url}/capture`);

  await waitForOnline(api, session.session_id);
  let validation = await validateOnce(api, session.session_id, camera);
  // An installer validates again when a wheel was caught turning between two digits.
  for (let attempt = 2; attempt <= VALIDATION_ATTEMPTS && validation.status !== 'validated'; attempt += 1) {
    say('Validating again ...');
    validation = await validateOnce(api, session.session_id, camera);
  }

  if (validation.status !== 'validated') {
    say(`Validation ended as "${validation.status}": the camera is not activated. Open the installation in the dashboard for the checks.`);
    return agent;
  }
  await api.post(`/api/installations/${session.session_id}/complete`);
  say(`Installation completed: the camera is active and reads every ${options.intervalSeconds} s.`);
  return agent;
}

async function validateOnce(api: ApiClient, sessionId: string, camera: VirtualCamera) {
  const expected = camera.status().value;
  say(`Validating: the installer reads ${expected} m³ off the meter ...`);
  const validation = await validateInstallation(api, sessionId, expected, METER_SERIAL);
  for (const line of describeValidation(validation)) say(line);
  return validation;
}

async function waitForOnline(api: ApiClient, sessionId: string): Promise<void> {
  const deadline = Date.now() + ONLINE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await api.get<{ camera: { connection: string } | null }>(`/api/installations/${sessionId}/status`);
    if (status.camera?.connection === 'online') return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
  throw new Error(`Camera ${DEVICE_ID} did not come online within ${ONLINE_TIMEOUT_MS / 1000} s: run with --verbose to see the agent's connection log`);
}

function printWhereToLook(cloud: CloudHandle, adminPassword: string): void {
  say('');
  say(`Readings appear at ${cloud.httpUrl}/ui/meters/${METER_SERIAL}`);
  say(`  sign in as "${ADMIN_USERNAME}" with password "${adminPassword}" (made for this run)`);
  say(`API: ${cloud.httpUrl}/meters/${METER_SERIAL} and ${cloud.httpUrl}/meters/${METER_SERIAL}/readings (Bearer token from POST /token)`);
  say(`API reference: ${cloud.httpUrl}/docs`);
  say('Press Ctrl+C to stop.\n');
}

interface ReadingJson {
  id: string;
  status: string;
  value: number | null;
  raw_value: number | null;
  confidence: number;
  reason: string | null;
  captured_at: string;
}

/** Prints each new reading the API serves next to what the simulated meter really shows. */
function followReadings(api: ApiClient, camera: VirtualCamera): NodeJS.Timeout {
  const seen = new Set<string>();
  return setInterval(() => {
    api
      .get<ReadingJson[]>(`/meters/${METER_SERIAL}/readings?limit=5`)
      .then((newestFirst) => {
        for (const reading of newestFirst.reverse()) {
          if (seen.has(reading.id)) continue;
          seen.add(reading.id);
          const readValue = reading.value ?? reading.raw_value;
          const truth = camera.status().exactValue.toFixed(4);
          say(
            `${reading.captured_at}  ${reading.status.padEnd(8)} ${readValue ?? '-'} m³  confidence ${reading.confidence.toFixed(2)}  (meter now ${truth})` +
              (reading.reason ? `  ${reading.reason}` : ''),
          );
        }
      })
      .catch((error: unknown) => process.stderr.write(`Reading the API failed: ${(error as Error).message}\n`));
  }, READING_POLL_MS);
}

function parseOptions(argv: string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8000' },
      'mqtt-port': { type: 'string', default: '1883' },
      'data-dir': { type: 'string', default: '.metervision/demo' },
      interval: { type: 'string', default: '15' },
      flow: { type: 'string', default: '0.6' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';

  return {
    port: numberOption('--port', values.port, 1, 65_535, true),
    mqttPort: numberOption('--mqtt-port', values['mqtt-port'], 1, 65_535, true),
    dataDir: resolve(values['data-dir']),
    intervalSeconds: numberOption('--interval', values.interval, 5, 3_600, true),
    flowM3PerHour: numberOption('--flow', values.flow, 0, 100, false),
    verbose: values.verbose,
  };
}

function numberOption(flag: string, text: string, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`Invalid ${flag} ${JSON.stringify(text)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`);
  }
  return value;
}

class UsageError extends Error {
  override name = 'UsageError';
}

/** Returns `port` when it is free on loopback, else 0 so the listener picks a free one. */
function freePortOr(port: number): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => {
      say(`Port ${port} is taken; using a free port instead.`);
      resolvePort(0);
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(port)));
  });
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
