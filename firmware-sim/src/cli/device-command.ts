import { SimulatedDevice } from '../device/simulated-device.ts';
import { DeviceConnectError } from '../errors.ts';
import type { CommandContext } from '../cli.ts';
import { CommandError, formatHelp, parseFlags, required, type Flag } from './flags.ts';
import { RENDER_FLAGS, renderKnobsFromFlags } from './render-flags.ts';
import { waitForSignal } from './wait-for-signal.ts';

const FLAGS: Flag[] = [
  { name: 'id', type: 'string', help: 'Device id, also the MQTT client id and default username (required).' },
  { name: 'broker', type: 'string', help: 'Broker URL, for example mqtt://127.0.0.1:1883 (required).' },
  { name: 'username', type: 'string', help: 'MQTT username (default: the device id).' },
  { name: 'password', type: 'string', help: 'MQTT password; prefer the SIM_DEVICE_PASSWORD environment variable.' },
  { name: 'serial', type: 'string', help: 'Meter serial reported in readings (default: none).' },
  { name: 'start', type: 'number', help: 'Meter value at start in m³ (default 0).' },
  { name: 'flow', type: 'number', help: 'Flow through the meter in m³/h (default 0.5).' },
  { name: 'heartbeat', type: 'number', help: 'Seconds between heartbeats (default 60).' },
  { name: 'interval', type: 'number', help: 'Seconds between readings, overriding the configuration; 0 stops them (default: configuration, 300).' },
  { name: 'evidence', type: 'string', help: 'Attach images to readings: never, always or config (default never).' },
  { name: 'display-offset', type: 'number', help: 'Show and report the true value plus this many m³ (default 0).' },
  { name: 'force-status', type: 'string', help: 'Force reading status: flagged, rejected or failed (default: plausibility decides).' },
  ...RENDER_FLAGS.filter((flag) => flag.name !== 'format'),
];

/** Option paths whose flag has another name, for error messages. */
export const DEVICE_OPTION_FLAGS: Record<string, string> = {
  deviceId: '--id',
  brokerUrl: '--broker',
  meterSerial: '--serial',
  startValue: '--start',
  flowM3PerHour: '--flow',
  heartbeatIntervalSeconds: '--heartbeat',
  'knobs.readingIntervalSeconds': '--interval',
};

export const deviceHelp = formatHelp(
  'pnpm sim device --id <device id> --broker <url> [options] [image knobs]',
  'Runs one simulated camera device on MQTT until Ctrl-C: status, heartbeats, readings, commands and configuration.',
  FLAGS,
);

/** `sim device`: runs one device until SIGINT or SIGTERM. */
export async function runDevice(args: string[], context: CommandContext): Promise<void | string> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return deviceHelp;

  const device = await SimulatedDevice.start({
    deviceId: required<string>(values, 'id'),
    brokerUrl: required<string>(values, 'broker'),
    username: values.username as string | undefined,
    password: (values.password as string | undefined) ?? process.env.SIM_DEVICE_PASSWORD,
    meterSerial: values.serial as string | undefined,
    startValue: values.start as number | undefined,
    flowM3PerHour: values.flow as number | undefined,
    heartbeatIntervalSeconds: values.heartbeat as number | undefined,
    evidence: values.evidence as 'never' | 'always' | 'config' | undefined,
    knobs: {
      render: renderKnobsFromFlags(values),
      displayOffset: values['display-offset'] as number | undefined,
      forceStatus: values['force-status'] as 'flagged' | 'rejected' | 'failed' | undefined,
      readingIntervalSeconds: values.interval as number | undefined,
    },
    logger: context.logger,
  }).catch((error: unknown) => {
    throw describeConnectError(error);
  });
  process.stdout.write(`Device ${device.deviceId} connected; showing ${device.shownReading().text} m³\n`);

  const signal = await waitForSignal();
  context.logger.info({ signal }, 'stopping simulated device');
  await device.close();
}

/** Turns a failed first connection into one line naming what to check. */
function describeConnectError(error: unknown): unknown {
  if (!(error instanceof DeviceConnectError)) return error;

  if (error.credentialsRejected) {
    return new CommandError(
      `${error.message}. Check SIM_DEVICE_PASSWORD (or --password) and --username (default: the device id) against the device credentials; a rejected password is not retried.`,
      { cause: error },
    );
  }
  return new CommandError(`${error.message}. Check --broker and that the broker is running.`, { cause: error });
}
