import { VirtualCamera } from '../camera/virtual-camera.ts';
import type { CommandContext } from '../cli.ts';
import { CommandError, formatHelp, parseFlags, UsageError, type Flag } from './flags.ts';
import { RENDER_FLAGS, renderKnobsFromFlags } from './render-flags.ts';
import { waitForSignal } from './wait-for-signal.ts';

const FLAGS: Flag[] = [
  { name: 'host', type: 'string', help: 'Address to listen on (default 127.0.0.1, loopback only).' },
  { name: 'port', type: 'integer', help: 'TCP port; 0 picks a free one (default 0).' },
  { name: 'start', type: 'number', help: 'Meter value at start in m³ (default 0).' },
  { name: 'flow', type: 'number', help: 'Flow through the meter in m³/h (default 0.5).' },
  { name: 'auth', type: 'string', help: 'Require HTTP auth: basic or digest (default none).' },
  { name: 'username', type: 'string', help: 'Username for --auth (default admin).' },
  { name: 'password', type: 'string', help: 'Password for --auth; prefer the SIM_CAMERA_PASSWORD environment variable.' },
  ...RENDER_FLAGS.filter((flag) => flag.name !== 'format'),
];

/** Option paths whose flag has another name, for error messages. */
export const CAMERA_OPTION_FLAGS: Record<string, string> = { startValue: '--start', flowM3PerHour: '--flow' };

export const cameraHelp = formatHelp(
  'pnpm sim camera [--port n] [--start m³] [--flow m³/h] [--auth basic|digest] [knobs]',
  `Runs a virtual ESP32-CAM until Ctrl-C. Endpoints:
  GET /capture   JPEG of the meter now (truth in the X-Meter-Value and X-Meter-Text headers)
  GET /status    JSON with the true value, flow, capture count and queued faults
  GET /layout    JSON layout of the meter (ROIs, dials, alignment marks)
  POST /control  JSON {value, flowM3PerHour, knobs, fault: {kind, ms, count}, clearFaults}
Fault kinds: delay (needs ms), timeout, garbage, http-500, truncated, disconnect.`,
  FLAGS,
);

/** `sim camera`: serves captures until SIGINT or SIGTERM. */
export async function runCamera(args: string[], context: CommandContext): Promise<void | string> {
  const values = parseFlags(args, FLAGS);
  if (values.help) return cameraHelp;

  const scheme = values.auth;
  if (scheme !== undefined && scheme !== 'basic' && scheme !== 'digest') {
    throw new UsageError(`Invalid --auth ${JSON.stringify(scheme)}: use basic or digest.`);
  }
  const password = (values.password as string | undefined) ?? process.env.SIM_CAMERA_PASSWORD;
  if (scheme !== undefined && !password) {
    throw new UsageError(`Missing password for --auth ${scheme}: set --password or SIM_CAMERA_PASSWORD.`);
  }

  const camera = await VirtualCamera.start({
    host: values.host as string | undefined,
    port: values.port as number | undefined,
    startValue: values.start as number | undefined,
    flowM3PerHour: values.flow as number | undefined,
    knobs: renderKnobsFromFlags(values),
    auth: scheme ? { scheme, username: (values.username as string | undefined) ?? 'admin', password: password ?? '' } : undefined,
    logger: context.logger,
  }).catch((error: unknown) => {
    throw describeListenError(error, values.host as string | undefined, values.port as number | undefined);
  });
  process.stdout.write(`Virtual camera at ${camera.url}/capture (status: ${camera.url}/status)\n`);

  const signal = await waitForSignal();
  context.logger.info({ signal }, 'stopping virtual camera');
  await camera.close();
}

/** Turns a port in use or not allowed into one line naming the fix. */
function describeListenError(error: unknown, host = '127.0.0.1', port = 0): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new CommandError(`Port ${port} on ${host} is already in use: pick another --port, or --port 0 for a free one.`, { cause: error });
  }
  if (code === 'EACCES') {
    return new CommandError(`Port ${port} on ${host} needs privileges this user lacks: use a port above 1023, or --port 0 for a free one.`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new CommandError(`Address ${host} is not an address of this machine: use --host 127.0.0.1 (the default).`, { cause: error });
  }
  return error;
}
