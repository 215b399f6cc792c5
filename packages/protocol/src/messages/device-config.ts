import { z } from 'zod';
import { meterSerialSchema, timestampSchema } from '../ids.ts';
import { embeddedMeterLayoutSchema } from '../layout.ts';
import { DEFAULT_PLAUSIBILITY_RULES, plausibilityRulesSchema } from '../plausibility-rules.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM in 24-hour time, for example "22:30"');

export const scheduleSchema = z.object({
  /** Seconds between two scheduled captures. */
  intervalSeconds: z.number().int().min(5).max(86_400).default(300),
  /** Up to this many seconds are added at random to each interval, so a fleet does not capture in step. */
  jitterSeconds: z.number().int().min(0).max(3_600).default(0),
  /** Daily window without scheduled captures, in the device's local time; may span midnight. */
  quietHours: z.object({ start: clockTime, end: clockTime }).optional(),
});

/** Camera settings that the cloud may change remotely. Which camera is used is local configuration. */
export const captureSettingsSchema = z.object({
  /** Exposure time in microseconds (Pi camera); automatic when absent. */
  exposureMicroseconds: z.number().int().min(1).max(10_000_000).optional(),
  /** Analogue gain (Pi camera); automatic when absent. */
  gain: z.number().min(1).max(64).optional(),
  /** Switch an LED on a GPIO line on for the capture. */
  flash: z
    .object({
      gpio: z.number().int().min(0).max(63),
      /** Milliseconds between switching the LED on and capturing. */
      warmupMs: z.number().int().min(0).max(5_000).default(200),
    })
    .optional(),
  /** Milliseconds one capture attempt may take before it counts as failed. */
  timeoutMs: z.number().int().min(500).max(120_000).default(15_000),
});

export const evidenceSchema = z.object({
  /** When the reading carries its image: always, only when not accepted, or never. */
  attach: z.enum(['always', 'unless_accepted', 'never']).default('always'),
  /** The evidence image is scaled down to at most this width, in pixels. */
  maxWidth: z.number().int().min(64).max(4_096).default(640),
  /** JPEG quality of the evidence image, 1-100. */
  jpegQuality: z.number().int().min(1).max(100).default(75),
});

export const homeAssistantSchema = z.object({
  enabled: z.boolean().default(false),
  /**
   * Discovery prefix Home Assistant listens on: the topic levels its discovery topics start with.
   * Wildcards, `$` and empty levels are refused because a broker drops (or disconnects over) a
   * publish to such a topic. The cloud's broker accepts only the default `homeassistant`.
   */
  discoveryPrefix: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'must be topic levels of A-Z, a-z, 0-9, "_" or "-" separated by "/", without wildcards')
    .default('homeassistant'),
  /** Home Assistant device class of the sensor. */
  deviceClass: z.enum(['water', 'gas', 'energy']).default('water'),
});

/**
 * Device configuration, retained on the `config` topic. `version` grows with each change; the
 * device applies a message only when it validates and reports the outcome on `config/report`.
 */
export const deviceConfigSchema = z.object({
  v: z.literal(1),
  version: z.number().int().min(1),
  meterSerial: meterSerialSchema.optional(),
  layout: embeddedMeterLayoutSchema,
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  plausibility: plausibilityRulesSchema.default(DEFAULT_PLAUSIBILITY_RULES),
  capture: captureSettingsSchema.default(captureSettingsSchema.parse({})),
  evidence: evidenceSchema.default(evidenceSchema.parse({})),
  homeAssistant: homeAssistantSchema.default(homeAssistantSchema.parse({})),
});

/** Device-to-cloud outcome of a configuration message on `config/report`. */
export const configReportMessageSchema = z.object({
  v: z.literal(1),
  /** The version the message carried; 0 when it could not be read at all. */
  version: z.number().int().min(0),
  status: z.enum(['applied', 'rejected']),
  /** Version the device runs after this message: the new one, or the one it kept. */
  activeVersion: z.number().int().min(0).nullable(),
  /** Why the configuration was rejected, one entry per invalid field. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).default([]),
  at: timestampSchema,
});

export type Schedule = z.infer<typeof scheduleSchema>;
export type CaptureSettings = z.infer<typeof captureSettingsSchema>;
export type EvidenceSettings = z.infer<typeof evidenceSchema>;
export type HomeAssistantSettings = z.infer<typeof homeAssistantSchema>;
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
export type ConfigReportMessage = z.infer<typeof configReportMessageSchema>;
