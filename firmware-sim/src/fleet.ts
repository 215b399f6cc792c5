import { readdirSync, readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { InvalidOptionError } from './errors.ts';
import { emptyDeviceCounters, SimulatedDevice, type DeviceStats, type SimulatedDeviceOptions } from './device/simulated-device.ts';
import type { DeviceKnobs } from './device/options.ts';
import { SeededRandom } from './render/random.ts';

export interface FleetOptions {
  /** Number of devices, 1-100000. */
  count: number;
  /** Broker URL, for example `mqtt://127.0.0.1:1883`. */
  brokerUrl: string;
  /** Device ids are this prefix plus a 5-digit index, for example `sim-00042`. Default `sim-`. */
  idPrefix?: string;
  /** MQTT password of each device; the username defaults to the device id. Default: none. */
  password?: (deviceId: string, index: number) => string | undefined;
  /** Devices started per second during the connect ramp. Default 100. */
  connectRatePerSecond?: number;
  /** Connection attempts in flight at once during the ramp. Default 200. */
  maxPendingConnects?: number;
  /** Seconds between readings of each device (each device starts at a random point of it). Default 300. */
  readingIntervalSeconds?: number;
  /** Seconds between heartbeats of each device. Default 60. */
  heartbeatIntervalSeconds?: number;
  /** Flow through each meter in m³ per hour. Default 0.5. */
  flowM3PerHour?: number;
  /** Knobs applied to every device (render, display offset, forced status). Default: none. */
  knobs?: Omit<DeviceKnobs, 'readingIntervalSeconds'>;
  /** Milliseconds each device waits for its CONNACK. Default 30000. */
  connectTimeoutMs?: number;
  /** Seed of the start values. Default 1. */
  seed?: number;
  /** Fleet logger; devices log through a child at level `warn` so a thousand connects stay quiet. */
  logger?: Logger;
}

/** Sums of the device counters, plus how many devices are connected now. */
export interface FleetStats extends Omit<DeviceStats, 'configVersion'> {
  devices: number;
  connected: number;
}

export interface Fleet {
  devices: SimulatedDevice[];
  /** Devices that failed to connect, with the reason. */
  failures: { deviceId: string; message: string }[];
  /** Milliseconds from the first connect attempt until every device had connected or failed. */
  connectMs: number;
  stats(): FleetStats;
  close(): Promise<void>;
}

/** File descriptors kept free for the process itself (stdio, logs, the broker in tests). */
const RESERVED_FILE_DESCRIPTORS = 64;

/**
 * Starts `count` simulated devices against one broker, ramping connections at a fixed rate and
 * spreading each device's readings over its interval. Resolves when every device has connected or
 * failed; devices that fail are listed in `failures`.
 *
 * @example
 * const fleet = await runFleet({ count: 1000, brokerUrl: 'mqtt://127.0.0.1:1883', readingIntervalSeconds: 10 });
 * console.log(fleet.stats());
 * await fleet.close();
 */
export async function runFleet(options: FleetOptions): Promise<Fleet> {
  checkFleetOptions(options);
  checkFileDescriptors(options.count);

  const logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'fleet' });
  const deviceLogger = logger.child({}, { level: logger.levelVal > 40 ? logger.level : 'warn' });
  const rate = options.connectRatePerSecond ?? 100;
  const maxPending = options.maxPendingConnects ?? 200;
  const random = new SeededRandom(options.seed ?? 1);
  const devices: SimulatedDevice[] = [];
  const failures: Fleet['failures'] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  logger.info({ count: options.count, brokerUrl: options.brokerUrl, rate }, 'fleet starting');

  for (let index = 0; index < options.count; index += 1) {
    const dueMs = (index / rate) * 1000 - (performance.now() - started);
    if (dueMs > 0) await sleep(dueMs);
    while (pending.size >= maxPending) await Promise.race(pending);

    const deviceOptions = fleetDeviceOptions(options, index, random.between(0, 99_000), deviceLogger);
    const attempt = SimulatedDevice.start(deviceOptions).then(
      (device) => {
        devices.push(device);
      },
      (error: unknown) => {
        failures.push({ deviceId: deviceOptions.deviceId, message: (error as Error).message });
      },
    );
    const tracked = attempt.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }
  await Promise.all(pending);

  const connectMs = performance.now() - started;
  logger.info({ connected: devices.length, failed: failures.length, connectMs: Math.round(connectMs) }, 'fleet started');
  if (failures.length > 0) logger.warn({ failures: failures.slice(0, 5) }, 'some devices failed to connect');

  return {
    devices,
    failures,
    connectMs,
    stats: () => sumStats(devices),
    close: async () => {
      await Promise.all(devices.map((device) => device.close().catch((error: unknown) => logger.warn({ err: error, deviceId: device.deviceId }, 'device close failed'))));
      logger.info(sumStats(devices), 'fleet stopped');
    },
  };
}

function fleetDeviceOptions(options: FleetOptions, index: number, startValue: number, logger: Logger): SimulatedDeviceOptions {
  const deviceId = `${options.idPrefix ?? 'sim-'}${String(index).padStart(5, '0')}`;
  return {
    deviceId,
    brokerUrl: options.brokerUrl,
    password: options.password?.(deviceId, index),
    startValue: Math.round(startValue * 10_000) / 10_000,
    flowM3PerHour: options.flowM3PerHour ?? 0.5,
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 60,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    knobs: { ...options.knobs, readingIntervalSeconds: options.readingIntervalSeconds ?? 300 },
    logger,
  };
}

function checkFleetOptions(options: FleetOptions): void {
  const issues = [];
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000) {
    issues.push({ path: 'count', received: options.count, message: 'must be a whole number from 1 to 100000' });
  }
  const rate = options.connectRatePerSecond;
  if (rate !== undefined && !(rate > 0 && rate <= 100_000)) {
    issues.push({ path: 'connectRatePerSecond', received: rate, message: 'must be above 0 and at most 100000' });
  }
  const maxPending = options.maxPendingConnects;
  if (maxPending !== undefined && !(Number.isInteger(maxPending) && maxPending >= 1)) {
    issues.push({ path: 'maxPendingConnects', received: maxPending, message: 'must be a whole number of at least 1' });
  }
  if (issues.length > 0) throw new InvalidOptionError('fleet', issues);
}

/**
 * Fails early when `count` sockets would not fit under the soft limit of open files, instead of
 * letting connects fail with EMFILE halfway through the ramp. Reads the limit and the descriptors
 * in use from `/proc` unless given; on systems without `/proc` it checks nothing.
 */
export function checkFileDescriptors(count: number, limit = openFileLimit(), inUse = openFileCount()): void {
  if (limit === null || inUse === null) return;
  if (inUse + count + RESERVED_FILE_DESCRIPTORS <= limit) return;
  throw new InvalidOptionError('fleet', [
    {
      path: 'count',
      received: count,
      message: `needs ${count} sockets but only ${Math.max(0, limit - inUse - RESERVED_FILE_DESCRIPTORS)} file descriptors are free (soft limit ${limit}): raise it with ulimit -n or run fewer devices per process`,
    },
  ]);
}

function openFileCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function sumStats(devices: SimulatedDevice[]): FleetStats {
  const total: FleetStats = { devices: devices.length, connected: 0, ...emptyDeviceCounters() };
  for (const device of devices) {
    const { configVersion: _version, ...stats } = device.stats();
    if (device.connected) total.connected += 1;
    for (const key of Object.keys(stats) as (keyof typeof stats)[]) total[key] += stats[key];
  }
  return total;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
