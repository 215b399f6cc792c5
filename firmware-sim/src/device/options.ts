import { deviceIdSchema, meterSerialSchema } from '@metervision/protocol';
import { z } from 'zod';
import { parseOptions } from '../options.ts';

/**
 * Knobs that change what the simulated device shows and reports, at start or at run time.
 * Render knobs (`blur`, `brightness`, `noise`, `rotationDegrees`, `glare`, `style`, `wheels`, ...)
 * go in `render` and apply to every image the device sends.
 */
export const deviceKnobsSchema = z.object({
  /** Render knobs of every image, as for `renderMeter` (value and format excluded). Default: none. */
  render: z.record(z.string(), z.unknown()).default({}),
  /**
   * Added to the true value before display, in m³: the meter then shows, and the device reports,
   * a value other than its nominal one (as when the wrong meter was paired). Default 0.
   */
  displayOffset: z.number().default(0),
  /**
   * Forces the status of each reading instead of the plausibility outcome: `flagged` (low
   * confidence), `rejected` (plausibility) or `failed` (no value). Default: none.
   */
  forceStatus: z.enum(['flagged', 'rejected', 'failed']).optional(),
  /**
   * Seconds between scheduled readings, overriding the configuration's schedule; 0 stops the
   * schedule. Values below the protocol's minimum of 5 s are allowed for load tests. Default: from
   * the configuration (300 s before one arrives).
   */
  readingIntervalSeconds: z.number().min(0).max(86_400).optional(),
});

export type DeviceKnobs = z.input<typeof deviceKnobsSchema>;
export type ResolvedDeviceKnobs = z.infer<typeof deviceKnobsSchema>;

export const simulatedDeviceOptionsSchema = z.object({
  deviceId: deviceIdSchema,
  /** Broker URL, for example `mqtt://127.0.0.1:1883`. */
  brokerUrl: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://'),
  /** MQTT username. Default: the device id, as the cloud issues device credentials. */
  username: z.string().optional(),
  /** MQTT password (the secret issued at pairing). Default: none. */
  password: z.string().optional(),
  meterSerial: meterSerialSchema.optional(),
  /** Reported in heartbeats. Default `firmware-sim/0.1.0`. */
  firmwareVersion: z.string().min(1).max(64).default('firmware-sim/0.1.0'),
  /** Seconds between heartbeats; 0 sends only the one after each connect. Default 60. */
  heartbeatIntervalSeconds: z.number().min(0).max(86_400).default(60),
  /** MQTT keep-alive in seconds. Default 30. */
  keepaliveSeconds: z.number().int().min(0).max(65_535).default(30),
  /** Milliseconds between reconnect attempts. Default 1000. */
  reconnectPeriodMs: z.number().int().min(100).max(600_000).default(1_000),
  /** Milliseconds `start` waits for the first CONNACK before it fails. Default 30000. */
  connectTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** True meter value at start, in m³. Default 0. */
  startValue: z.number().min(0).default(0),
  /** Flow through the meter in m³ per hour. Default 0.5. */
  flowM3PerHour: z.number().min(0).max(10_000).default(0.5),
  /**
   * When a reading carries its image: `never`, `always`, or `config` to follow the configuration's
   * `evidence.attach`. Default `never`, because rendering costs about 50 ms of CPU per image.
   */
  evidence: z.enum(['never', 'always', 'config']).default('never'),
  /** QoS 1 readings kept while waiting for PUBACK; more are dropped and counted. Default 1000. */
  maxOutbox: z.number().int().min(1).max(1_000_000).default(1_000),
  /** Seed of signal strength, jitter and image noise. Default: derived from the device id. */
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
  knobs: deviceKnobsSchema.default(deviceKnobsSchema.parse({})),
});

export type SimulatedDeviceOptionsInput = z.input<typeof simulatedDeviceOptionsSchema>;
export type ResolvedDeviceOptions = z.infer<typeof simulatedDeviceOptionsSchema>;

export function resolveDeviceOptions(options: SimulatedDeviceOptionsInput): ResolvedDeviceOptions {
  return parseOptions(simulatedDeviceOptionsSchema, options, 'simulated device');
}
