import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { ensureSuperAdmin } from './auth/bootstrap.ts';
import { ENV_VARIABLES, loadEnvOptions } from './config/env.ts';
import { resolveOptions, type CloudOptions } from './config/options.ts';
import { openDatabase } from './db/database.ts';
import { redactUrl } from './db/url.ts';
import { registerDevice } from './devices/credentials.ts';
import { createRepositories } from './repositories.ts';
import { startCloud } from './start.ts';

const HELP = `Usage: pnpm cloud [command] [options]

Commands:
  serve (default)                       Start the HTTP API and the MQTT broker.
  admin create --username NAME          Create a super admin (or promote an existing user).
                                        The password is read from METERVISION_ADMIN_PASSWORD
                                        or from standard input.
  device add --meter SERIAL --id ID     Register device ID for meter SERIAL and print its
                                        MQTT secret once.

Configuration comes from environment variables (PORT, MQTT_PORT, DATABASE_URL, JWT_SECRET,
METERVISION_DATA_DIR, ...); docs/api.md lists them all.
`;

const CLI_OPTIONS = { help: { type: 'boolean', short: 'h' }, username: { type: 'string' }, meter: { type: 'string' }, id: { type: 'string' } } as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: CLI_OPTIONS });
  } catch (error) {
    process.stderr.write(`${argumentError(argv, error as NodeJS.ErrnoException)}\n`);
    return 2;
  }

  const { positionals, values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const command = positionals.join(' ') || 'serve';
  const env = loadEnvOptions(process.env);
  // One-shot commands print their result, so they log only warnings unless LOG_LEVEL is set.
  const logger = pino({ name: 'metervision-cloud', level: env.logLevel ?? (command === 'serve' ? 'info' : 'warn') });
  const options = resolveOptions({ host: '0.0.0.0', ...env }, logger);

  switch (command) {
    case 'serve':
      return serve(options, logger);
    case 'admin create':
      return createAdmin(options, logger, values.username);
    case 'device add':
      return addDevice(options, logger, values.meter, values.id);
    default:
      process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${HELP}`);
      return 2;
  }
}

async function serve(options: CloudOptions, logger: Logger): Promise<number> {
  const cloud = await startCloud(options);
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
  logger.info('shutting down');
  await cloud.close();
  return 0;
}

async function createAdmin(options: CloudOptions, logger: Logger, username: string | undefined): Promise<number> {
  if (!username) return usage('admin create needs --username NAME');

  const password = process.env.METERVISION_ADMIN_PASSWORD || (await readStdin()).trim();
  if (!password) return usage('Give the password in METERVISION_ADMIN_PASSWORD or on standard input');

  const database = await openDatabase({ url: options.databaseUrl, logger });
  try {
    const created = await ensureSuperAdmin(createRepositories(database).users, { username, password }, { hashCost: options.passwordHashCost, logger });
    process.stdout.write(created ? `Super admin ${username} created.\n` : `User ${username} exists and is super admin; password unchanged.\n`);
    return 0;
  } finally {
    await database.close();
  }
}

async function addDevice(options: CloudOptions, logger: Logger, serial: string | undefined, deviceId: string | undefined): Promise<number> {
  if (!serial || !deviceId) return usage('device add needs --meter SERIAL and --id DEVICE_ID');

  const database = await openDatabase({ url: options.databaseUrl, logger });
  try {
    const meter = await createRepositories(database).meters.findBySerial(serial);
    if (!meter) {
      process.stderr.write(`Meter ${serial} not found: create it first with POST /meters/.\n`);
      return 1;
    }

    const issued = await registerDevice(database, { deviceId, organizationId: meter.organizationId, meterId: meter.id });
    process.stdout.write(
      `Device ${deviceId} registered for meter ${serial}.\n` +
        `MQTT username (and client id): ${deviceId}\n` +
        `MQTT password (shown once, store it on the device): ${issued.secret}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

/**
 * Words a parseArgs error in one line. An unknown option such as `--port 9000` is usually a
 * setting, so the message names the environment variable that sets it.
 */
function argumentError(argv: string[], error: NodeJS.ErrnoException): string {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${error.message}; see pnpm cloud --help`;

  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: CLI_OPTIONS });
  const index = tokens.findIndex((token) => token.kind === 'option' && !(token.name in CLI_OPTIONS));
  const unknown = tokens[index];
  if (unknown?.kind !== 'option') return `${error.message}; see pnpm cloud --help`;

  const next = tokens[index + 1];
  const givenValue = unknown.value ?? (next?.kind === 'positional' ? next.value : undefined);
  const variable = ENV_VARIABLES.find((entry) => entry.name === unknown.name.toUpperCase().replaceAll('-', '_'));
  const example = variable && givenValue ? `${variable.name}=${redactUrl(givenValue)}` : 'PORT=9000';
  return `Unknown option ${unknown.rawName}: the cloud is configured by environment variables, e.g. ${example} pnpm cloud; see pnpm cloud --help`;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n\n${HELP}`);
  return 2;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`metervision-cloud: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
