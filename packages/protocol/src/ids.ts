import { z } from 'zod';

/**
 * Device id: the camera's identity in topics, credentials and the API.
 * Letters, digits, `-` and `_` only, so it can never contain the MQTT wildcards `+` and `#`
 * or a topic level separator `/`. At most 64 characters.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const deviceIdSchema = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, "-" or "_", starting with a letter or digit');

/**
 * Message id made on the device (a reading id, a command id, an image request id).
 * The cloud deduplicates on it, so a redelivered QoS 1 message is stored once.
 */
export const messageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 characters of A-Z, a-z, 0-9, "-" or "_" (a UUID works)');

/** Meter serial number as printed on the meter. */
export const meterSerialSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "-" or "_"');

/** ISO 8601 timestamp with an explicit offset, for example `2026-12-04T20:34:00.000Z`. */
export const timestampSchema = z.iso.datetime({ offset: true });
