import { runFleet } from '../fleet.ts';
import type { CommandContext } from '../cli.ts';
import { formatHelp, parseFlags, required, type Flag } from './flags.ts';
import { waitForSignal } from './wait-for-signal.ts';

const FLAGS: Flag[] = [
  { name: 'count', type: 'integer', help: 'Number of devices, 1-100000 (required).' },
  { name: 'broker', type: 'string', help: 'Broker URL, for example mqtt://127.0.0.1:1883 (required).' },
  { name: 'interval', type: 'number', help: 'Seconds between readings of each device; 0 sends none (default 300).' },
  { name: 'heartbeat', type: 'number', help: 'Seconds between heartbeats of each device (default 60).' },
  { name: 'rate', type: 'number', help: 'Devices connected per second during the ramp (default 100).' },
  { name: 'prefix', type: 'string', help: 'Device id prefix; ids are the prefix plus a 5-digit index (default sim-).' },
  { name: 'password', type: 'string', help: 'MQTT password shared by all devices; prefer SIM_FLEET_PASSWORD (default none).' },
  { name: 'flow', type: 'number', help: 'Flow through each meter in m³/h (default 0.5).' },
  { name: 'report', type: 'number', help: 'Seconds between progress lines; 0 prints none (default 10).' },
];

/** Option paths whose flag has another name, for error messages. */
export const FLEET_OPTION_FLAGS: Record<string, string> = { brokerUrl: '--broker', connectRatePerSecond: '--rate' };

export const fleetHelp = formatHelp(
  'pnpm sim fleet --count <n> --broker <url> [--interval s] [--rate n/s]',
  'Runs many simulated devices against one broker until Ctrl-C, printing counters every --report seconds.',
  FLAGS,
);

/** `sim fleet`: runs the fleet until SIGINT or SIGTERM. */
export async function runFleetCommand(args: string[], context: CommandContext): Promise<void | string> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return fleetHelp;

  const password = (values.password as string | undefined) ?? process.env.SIM_FLEET_PASSWORD;
  const fleet = await runFleet({
    count: required<number>(values, 'count'),
    brokerUrl: required<string>(values, 'broker'),
    readingIntervalSeconds: values.interval as number | undefined,
    heartbeatIntervalSeconds: values.heartbeat as number | undefined,
    connectRatePerSecond: values.rate as number | undefined,
    idPrefix: values.prefix as string | undefined,
    flowM3PerHour: values.flow as number | undefined,
    password: password ? () => password : undefined,
    logger: context.logger,
  });
  process.stdout.write(`${fleet.devices.length} devices connected in ${Math.round(fleet.connectMs)} ms, ${fleet.failures.length} failed\n`);

  const reportSeconds = (values.report as number | undefined) ?? 10;
  const reporter =
    reportSeconds > 0
      ? setInterval(() => process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...fleet.stats() })}\n`), reportSeconds * 1000)
      : null;

  const signal = await waitForSignal();
  if (reporter) clearInterval(reporter);
  context.logger.info({ signal }, 'stopping fleet');
  await fleet.close();
}
