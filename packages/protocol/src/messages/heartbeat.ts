import { z } from 'zod';
import { timestampSchema } from '../ids.ts';

/** Last error the device met, reported in each heartbeat until a capture succeeds. */
export const deviceErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(500),
  at: timestampSchema,
});

/** Periodic health report of a camera, over MQTT or `POST /api/installations/cameras/heartbeat`. */
export const heartbeatMessageSchema = z.object({
  v: z.literal(1),
  /** Device clock when the heartbeat was sent; the cloud compares it with its own to report skew. */
  sentAt: timestampSchema,
  firmwareVersion: z.string().min(1).max(64),
  uptimeSeconds: z.number().int().min(0),
  /** Wi-Fi or cellular signal strength in dBm (for example -67); null when wired or unknown. */
  signalDbm: z.number().min(-150).max(0).nullable().default(null),
  freeMemoryBytes: z.number().int().min(0),
  lastCaptureAt: timestampSchema.nullable().default(null),
  lastError: deviceErrorSchema.nullable().default(null),
  /** Readings waiting in the device outbox for a PUBACK. */
  outboxPending: z.number().int().min(0).default(0),
  /** Readings the outbox dropped because it was full, since the device was installed. */
  outboxDropped: z.number().int().min(0).default(0),
  /** Version of the configuration the device runs; null before the first remote configuration. */
  configVersion: z.number().int().min(0).nullable().default(null),
  /** Consecutive failed captures; 0 after a success. */
  captureFailures: z.number().int().min(0).default(0),
  /**
   * Device clock minus the cloud's clock in milliseconds, measured by the device from the `Date`
   * header of its last HTTP exchange with the cloud (1 s resolution); null when not measured.
   */
  clockSkewMs: z.number().int().nullable().default(null),
  /** Whether the device's time service reports the clock as synchronised; null when unknown. */
  clockSynchronized: z.boolean().nullable().default(null),
  /**
   * Scheduled captures: `running`, `awaiting_configuration` (paired, waiting for the configuration
   * the cloud sends when the installation is completed) or `off`; null from older devices.
   */
  schedule: z.enum(['running', 'awaiting_configuration', 'off']).nullable().default(null),
});

export type DeviceError = z.infer<typeof deviceErrorSchema>;
export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;
export type HeartbeatMessageInput = z.input<typeof heartbeatMessageSchema>;
