import {
  captureSettingsSchema,
  DEFAULT_PLAUSIBILITY_RULES,
  deviceIdSchema,
  evidenceSchema,
  homeAssistantSchema,
  meterSerialSchema,
  plausibilityRulesSchema,
  scheduleSchema,
} from '@metervision/protocol';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** A secret given inline or, better, read from a file that only the agent's user can read. */
const secretFields = {
  password: z.string().min(1).optional(),
  /** File whose first line is the password; relative paths start at the configuration file. */
  passwordFile: z.string().min(1).optional(),
};

/** Pi camera through `rpicam-still` (Raspberry Pi OS Bookworm) or `libcamera-still` (Bullseye). */
export const rpicamSourceSchema = z.object({
  type: z.literal('rpicam'),
  /** Command to run; `auto` tries `rpicam-still`, then `libcamera-still`, on PATH. */
  command: z.string().min(1).default('auto'),
  /** Image size in pixels; the camera's full resolution when absent. */
  width: z.number().int().min(64).max(10_000).optional(),
  height: z.number().int().min(64).max(10_000).optional(),
  /** JPEG quality, 1-100. */
  quality: z.number().int().min(1).max(100).default(90),
  /** Extra arguments passed as they are, for example `["--rotation", "180"]`. */
  extraArgs: z.array(z.string()).default([]),
  /**
   * Commands that switch the flash LED on and off; `{gpio}` is replaced by the line number from
   * the capture settings. The defaults use `pinctrl` from Raspberry Pi OS Bookworm.
   */
  flashOn: z.array(z.string()).min(1).default(['pinctrl', 'set', '{gpio}', 'op', 'dh']),
  flashOff: z.array(z.string()).min(1).default(['pinctrl', 'set', '{gpio}', 'op', 'dl']),
});

/** HTTP snapshot URL, for example an ESP32-CAM `/capture` or an IP camera's snapshot path. */
export const httpSourceSchema = z.object({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  auth: z
    .object({
      type: z.enum(['basic', 'digest']),
      username: z.string().min(1),
      ...secretFields,
    })
    .refine((auth) => auth.password !== undefined || auth.passwordFile !== undefined, {
      message: 'give password or passwordFile',
      path: ['password'],
    })
    .optional(),
  /** Largest response accepted, in bytes. */
  maxBytes: z.number().int().min(1_024).max(50 * MIB).default(20 * MIB),
});

/** A folder another program writes images into. */
export const folderSourceSchema = z.object({
  type: z.literal('folder'),
  path: z.string().min(1),
  /** `newest`: the newest file at each capture, even if seen before. `each`: every file once, oldest first. */
  mode: z.enum(['newest', 'each']).default('newest'),
  extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/)).min(1).default(['.jpg', '.jpeg', '.png']),
  /** Files modified less than this many milliseconds ago are skipped as possibly still being written. */
  settleMs: z.number().int().min(0).max(600_000).default(1_000),
});

/** A synthetic meter from `@metervision/firmware-sim`, advancing at a steady rate; for demos and tests. */
export const simulatorSourceSchema = z.object({
  type: z.literal('simulator'),
  startValue: z.number().min(0).default(123.456),
  /** Meter units per hour. */
  ratePerHour: z.number().min(0).default(0.05),
  wheels: z.number().int().min(5).max(8).default(5),
  pointers: z.number().int().min(0).max(4).default(4),
  seed: z.number().int().default(1),
});

export const sourceSchema = z.discriminatedUnion('type', [
  rpicamSourceSchema,
  httpSourceSchema,
  folderSourceSchema,
  simulatorSourceSchema,
]);

/** Retries of one capture: attempt n waits min(initialDelayMs × 2^(n-1), maxDelayMs), ±20 %. */
export const retrySchema = z.object({
  attempts: z.number().int().min(1).max(10).default(3),
  initialDelayMs: z.number().int().min(0).max(600_000).default(2_000),
  maxDelayMs: z.number().int().min(0).max(3_600_000).default(60_000),
});

/**
 * The meter settings used until the cloud sends a remote configuration: the same fields as the
 * retained `config` message, with the layout given inline or as a file.
 */
export const meterSettingsSchema = z
  .object({
    meterSerial: meterSerialSchema.optional(),
    /** Layout JSON inline (mark images as data URLs or paths relative to the configuration file). */
    layout: z.unknown().optional(),
    /** Layout file; relative paths start at the configuration file. */
    layoutFile: z.string().min(1).optional(),
    schedule: scheduleSchema.default(scheduleSchema.parse({})),
    plausibility: plausibilityRulesSchema.default(DEFAULT_PLAUSIBILITY_RULES),
    capture: captureSettingsSchema.default(captureSettingsSchema.parse({})),
    evidence: evidenceSchema.default(evidenceSchema.parse({})),
    homeAssistant: homeAssistantSchema.default(homeAssistantSchema.parse({})),
  })
  .refine((meter) => !(meter.layout !== undefined && meter.layoutFile !== undefined), {
    message: 'give layout or layoutFile, not both',
    path: ['layoutFile'],
  });

export const mqttSettingsSchema = z.object({
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`); taken from the pairing when absent. */
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL').optional(),
  /** Defaults to the device id, as the cloud expects. */
  username: z.string().min(1).optional(),
  ...secretFields,
  /** Seconds between MQTT PINGREQs when idle. */
  keepaliveSeconds: z.number().int().min(5).max(3_600).default(60),
  /** Milliseconds between reconnect attempts. */
  reconnectPeriodMs: z.number().int().min(100).max(600_000).default(5_000),
  connectTimeoutMs: z.number().int().min(1_000).max(300_000).default(30_000),
  /** Readings published and waiting for their PUBACK at once. */
  maxInFlight: z.number().int().min(1).max(100).default(10),
  /** CA certificate file for `mqtts://` brokers with a private CA. */
  caFile: z.string().min(1).optional(),
});

export const outboxSettingsSchema = z.object({
  /** Upper bound of all queued messages, in bytes; images of the oldest readings go first, then the oldest readings. */
  maxBytes: z.number().int().min(MIB).max(64 * 1024 * MIB).default(256 * MIB),
  /** Queued messages older than this many days are dropped. */
  maxAgeDays: z.number().min(1).max(3_650).default(90),
  /** Upper bound of queued messages. */
  maxMessages: z.number().int().min(100).max(10_000_000).default(200_000),
});

export const agentConfigSchema = z.object({
  deviceId: deviceIdSchema,
  /** Outbox, state and pairing credentials; the systemd unit's StateDirectory. */
  stateDir: z.string().min(1).default('/var/lib/metervision-agent'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mqtt: mqttSettingsSchema.default(mqttSettingsSchema.parse({})),
  cloud: z
    .object({
      /** Cloud base URL for pairing and the HTTP heartbeat; taken from the pairing when absent. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** Send heartbeats over HTTP while MQTT is down. */
      httpHeartbeat: z.boolean().default(true),
    })
    .default({ httpHeartbeat: true }),
  source: sourceSchema,
  retry: retrySchema.default(retrySchema.parse({})),
  meter: meterSettingsSchema,
  heartbeat: z
    .object({ intervalSeconds: z.number().int().min(5).max(86_400).default(60) })
    .default({ intervalSeconds: 60 }),
  outbox: outboxSettingsSchema.default(outboxSettingsSchema.parse({})),
  /** Ping the systemd watchdog through `systemd-notify` when started by systemd with WatchdogSec. */
  watchdog: z.boolean().default(true),
});

export type RpicamSourceConfig = z.infer<typeof rpicamSourceSchema>;
export type HttpSourceConfig = z.infer<typeof httpSourceSchema>;
export type FolderSourceConfig = z.infer<typeof folderSourceSchema>;
export type SimulatorSourceConfig = z.infer<typeof simulatorSourceSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type RetrySettings = z.infer<typeof retrySchema>;
export type MeterSettings = z.infer<typeof meterSettingsSchema>;
export type MqttSettings = z.infer<typeof mqttSettingsSchema>;
export type OutboxSettings = z.infer<typeof outboxSettingsSchema>;
/** The local configuration file as written, before defaults. */
export type AgentConfigInput = z.input<typeof agentConfigSchema>;
/** The local configuration with every default filled in. */
export type AgentConfigFile = z.infer<typeof agentConfigSchema>;
