import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { startAgent } from './agent.ts';
import { captureOnce, encodeAnnotated, formatCaptureOnce, OUTPUT_EXTENSIONS, outputFormatOf } from './capture-once.ts';
import { HELP } from './cli-help.ts';
import { type AgentConfig, loadConfigFile } from './config/load.ts';
import { ConfigError, errorMessage, PairingError } from './errors.ts';
import { pairDevice, parseCloudUrl } from './pair.ts';
import { describeConfig } from './config/describe.ts';

const DEFAULT_CONFIG = '/etc/metervision/agent.json';
const DEFAULT_STATE_DIR = '/var/lib/metervision-agent';

type Output = (line: string) => void;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], out: Output = console.log, err: Output = console.error): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, out);
      case 'pair':
        return await pairCommand(rest, out);
      case 'capture-once':
        return await captureOnceCommand(rest, out, err);
      case 'config':
        if (rest[0] === 'check') return await configCheckCommand(rest.slice(1), out);
        err(`unknown command "config ${rest[0] ?? ''}"; did you mean "config check"?`);
        return 2;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(HELP.main);
        return command === undefined ? 2 : 0;
      default:
        err(`unknown command "${command}"\n\n${HELP.main}`);
        return 2;
    }
  } catch (error) {
    return reportError(error, err);
  }
}

function reportError(error: unknown, err: Output): number {
  if (error instanceof ConfigError) {
    err(`Configuration error${error.file ? ` in ${error.file}` : ''}:`);
    if (error.issues.length === 0) err(`  ${error.message}`);
    for (const issue of error.issues) err(`  ${issue.path || '(file)'}: ${issue.message}`);
    return 1;
  }
  if (error instanceof PairingError) {
    err(`Pairing failed: ${error.message}`);
    return 1;
  }
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    err(`${error.message}; see --help`);
    return 2;
  }
  err(`Error: ${errorMessage(error)}`);
  return 1;
}

function configPath(value: string | undefined): string {
  return path.resolve(value ?? process.env.METERVISION_AGENT_CONFIG ?? DEFAULT_CONFIG);
}

const configOption = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const;

async function runCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, options: configOption, strict: true });
  if (values.help) return help(out, HELP.run);

  const config = await loadConfigFile(configPath(values.config));
  const logger = pino({ level: config.logLevel });
  // A bug that escapes every handler ends the process with a log line; systemd restarts it.
  const crash = (error: unknown) => {
    logger.fatal({ err: errorMessage(error), stack: error instanceof Error ? error.stack : undefined }, 'unexpected error, exiting');
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  const agent = await startAgent(config, { logger });
  await waitForSignal(logger);
  await agent.close();
  return 0;
}

function waitForSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received, shutting down');
      // A second signal while shutting down ends the process at once.
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function pairCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...configOption,
      code: { type: 'string' },
      cloud: { type: 'string' },
      'device-id': { type: 'string' },
      'state-dir': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) return help(out, HELP.pair);

  const config: AgentConfig | null = values.config ? await loadConfigFile(configPath(values.config)) : null;
  const deviceId = values['device-id'] ?? config?.deviceId;
  const missing = [!values.code && '--code', !values.cloud && '--cloud', !deviceId && '--device-id'].filter(Boolean);
  if (missing.length > 0) throw new PairingError(`missing ${missing.join(', ')}; see metervision-agent pair --help`, null);

  const cloudUrl = parseCloudUrl(values.cloud!, '--cloud').href;
  const stateDir = path.resolve(values['state-dir'] ?? config?.stateDir ?? DEFAULT_STATE_DIR);
  const result = await pairDevice({ cloudUrl, code: values.code!, deviceId: deviceId!, stateDir });
  const { credentials } = result;
  out(`Paired device ${credentials.deviceId} with ${credentials.cloudUrl}.`);
  if (credentials.sessionId) out(`  installation session: ${credentials.sessionId}`);
  if (credentials.meterSerial) out(`  meter serial: ${credentials.meterSerial}`);
  out(`  MQTT broker: ${credentials.mqttUrl ?? '(none given; set mqtt.url in the configuration)'}`);
  out(`  MQTT username: ${credentials.mqttUsername} (password stored, not shown)`);
  out(`  credentials written to ${result.file} (mode 0600)`);
  if (result.clockSkewMs !== null && Math.abs(result.clockSkewMs) > 5_000) {
    out(`  warning: this device's clock differs from the cloud's by ${Math.round(result.clockSkewMs / 1000)} s; enable NTP`);
  }
  out('Start or restart the agent (systemctl restart metervision-agent) to connect.');
  return 0;
}

async function captureOnceCommand(args: string[], out: Output, err: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...configOption, output: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return help(out, HELP.captureOnce);

  // Checked before capturing, so a wrong name costs no camera cycle.
  const output = path.resolve(values.output ?? 'capture-once.jpg');
  const format = outputFormatOf(output);
  if (format === null) {
    err(`invalid --output ${output}: the extension must be ${OUTPUT_EXTENSIONS}, which sets the image format`);
    return 2;
  }

  const config = await loadConfigFile(configPath(values.config));
  const logger = pino({ level: 'warn' });
  const result = await captureOnce(config, { logger });
  if (result.annotated) await writeFile(output, await encodeAnnotated(result.annotated, format));

  if (values.json) out(JSON.stringify({ ...result.summary, annotatedImage: result.annotated ? output : null }, null, 2));
  else out(formatCaptureOnce(result.summary, result.annotated ? output : null));
  return result.summary.status === 'failed' ? 1 : 0;
}

async function configCheckCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({ args, options: configOption, strict: true });
  if (values.help) return help(out, HELP.configCheck);

  const config = await loadConfigFile(configPath(values.config));
  out(`${config.file}: valid`);
  for (const line of describeConfig(config)) out(`  ${line}`);
  return 0;
}

function help(out: Output, text: string): number {
  out(text);
  return 0;
}

// Run when executed directly (pnpm agent, the bin), not when imported by tests.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
