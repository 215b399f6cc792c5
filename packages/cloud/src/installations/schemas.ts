import { z } from '@hono/zod-openapi';
import { DEVICE_ID_PATTERN, heartbeatMessageSchema, meterSerialSchema, scheduleSchema } from '@metervision/protocol';
import type { DeviceHeartbeatRow, DeviceRow } from '../devices/devices.repo.ts';
import type { InstallationEvent } from './events.repo.ts';
import type { InstallationRow } from './installations.repo.ts';
import { INSTALLATION_STATUSES, STAGE_NAMES, type InstallationStatus, type ValidationRecord } from './types.ts';

const deviceId = z.string().regex(DEVICE_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, "-" or "_", starting with a letter or digit');
const timestamp = z.string().openapi({ format: 'date-time' });
// Installers type the serial from the plate, often with a stray space. The serial check ignores
// case and surrounding spaces, so the format check runs on the trimmed value.
const plateSerial = z.string().trim().pipe(meterSerialSchema);

export const sessionParam = z.object({
  session_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'session_id', in: 'path' }, example: '4f8c2d0e-6a51-4c1e-9d2b-7f0e3a9b1c55' }),
});

export const startSchema = z
  .object({
    meter_serial: meterSerialSchema.describe('Meter to install, of the organization the installer belongs to.'),
    device_id: deviceId.openapi({ description: "Camera to pair, as printed on its label; registered in the meter's organization when new." }),
    schedule: scheduleSchema.optional().openapi({ description: 'Reading schedule sent to the camera on completion; 300 s when absent.' }),
  })
  .openapi('InstallationStart');

export const pairSchema = z
  .object({
    pairing_code: z.string().min(1).max(32).openapi({ example: 'K7Q2-9XMD', description: 'Code shown when the installation started; case, spaces and dashes do not matter.' }),
    device_id: deviceId,
  })
  .openapi('PairingRequest');

export const pairingResultSchema = z
  .object({
    device_id: z.string(),
    session_id: z.string(),
    meter_serial: z.string(),
    mqtt_url: z.string().nullable(),
    mqtt_username: z.string(),
    mqtt_password: z.string().openapi({ description: 'Device secret, shown once; only its hash is stored.' }),
  })
  .openapi('PairingResult');

export const validateSchema = z
  .object({
    expected_value: z.number().min(0).optional().openapi({ description: 'Value the meter shows now, read by the installer; compared in the verification stage.', example: 530.07 }),
    meter_serial: plateSerial.optional().describe("Serial number on the meter's plate, read by the installer; surrounding spaces are removed before the format check."),
  })
  .openapi('ValidationRequest');

// Schemas of the protocol package were built before @hono/zod-openapi extended zod, so they get
// `.openapi()` only on a copy (`.describe()` returns one).
export const heartbeatSchema = heartbeatMessageSchema.describe('Heartbeat message, the same as on the MQTT heartbeat topic.').openapi('Heartbeat');

export const heartbeatResultSchema = z
  .object({
    device_id: z.string(),
    received_at: timestamp,
    clock_skew_ms: z.number().int().openapi({ description: "Device clock minus the cloud's when the heartbeat arrived." }),
  })
  .openapi('HeartbeatReceipt');

const thresholdSchema = z.object({ min: z.number().optional(), max: z.number().optional(), equals: z.union([z.string(), z.number()]).optional(), text: z.string().optional() });

const checkSchema = z
  .object({
    id: z.string().openapi({ example: 'brightness' }),
    status: z.enum(['passed', 'warning', 'failed']),
    measured: z.union([z.number(), z.string(), z.boolean()]).nullable(),
    threshold: thresholdSchema.nullable(),
    unit: z.string().nullable(),
    message: z.string(),
    advice: z.string().nullable().openapi({ example: 'image too dark: switch on the LED or raise the exposure' }),
  })
  .openapi('InstallationCheck');

const stageSchema = z
  .object({
    name: z.enum(STAGE_NAMES),
    status: z.enum(['pending', 'running', 'passed', 'warning', 'failed', 'skipped']),
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
    duration_ms: z.number().nullable(),
    skipped_reason: z.string().nullable(),
    checks: z.array(checkSchema),
  })
  .openapi('ValidationStage');

const validationSchema = z
  .object({
    run: z.number().int(),
    status: z.enum(['running', 'passed', 'failed']),
    requested_by: z.number().int().nullable(),
    started_at: timestamp,
    finished_at: timestamp.nullable(),
    duration_ms: z.number().nullable(),
    expected_value: z.number().nullable(),
    meter_serial: z.string().nullable(),
    stages: z.array(stageSchema),
    image: z.object({ content_type: z.string(), width: z.number(), height: z.number(), captured_at: timestamp }).nullable(),
  })
  .openapi('Validation');

const eventSchema = z
  .object({
    type: z.string().openapi({ example: 'paired' }),
    at: timestamp,
    actor: z.object({ kind: z.enum(['user', 'device', 'system']), user_id: z.number().int().nullable(), username: z.string().nullable(), device_id: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('InstallationEvent');

const cameraSchema = z
  .object({
    device_id: z.string(),
    state: z.enum(['installing', 'active', 'failed', 'released', 'revoked']).openapi({ description: 'The camera as this session left it.' }),
    connection: z.enum(['never_seen', 'online', 'offline']),
    last_seen_at: timestamp.nullable(),
    has_credentials: z.boolean(),
    revoked_at: timestamp.nullable(),
    firmware_version: z.string().nullable(),
    signal_dbm: z.number().nullable(),
    last_heartbeat: z
      .object({ received_at: timestamp, sent_at: timestamp, via: z.enum(['mqtt', 'http']), clock_skew_ms: z.number(), clock_synchronized: z.boolean().nullable(), last_capture_at: timestamp.nullable() })
      .nullable(),
  })
  .openapi('InstallationCamera');

export const statusSchema = z
  .object({
    session_id: z.string(),
    status: z.enum(INSTALLATION_STATUSES),
    organization_id: z.number().int(),
    meter_serial: z.string(),
    device_id: z.string(),
    pairing: z.object({ expires_at: timestamp, expired: z.boolean(), paired_at: timestamp.nullable(), failed_attempts: z.number().int() }),
    schedule: scheduleSchema.nullable(),
    camera: cameraSchema.nullable(),
    validation: validationSchema.nullable(),
    failed_checks: z.array(checkSchema),
    config_version: z.number().int().nullable(),
    created_by: z.number().int().nullable(),
    created_at: timestamp,
    completed_by: z.number().int().nullable(),
    completed_at: timestamp.nullable(),
    updated_at: timestamp,
    events: z.array(eventSchema),
  })
  .openapi('InstallationStatus');

export const startedSchema = statusSchema
  .extend({
    pairing_code: z.string().openapi({ example: 'K7Q2-9XMD', description: 'Shown once: the camera redeems it at POST /api/installations/pair.' }),
    pair_command: z.string().openapi({ example: 'metervision-agent pair --code K7Q2-9XMD --device-id cam-1 --cloud https://cloud.example' }),
  })
  .openapi('InstallationStarted');

/** Everything the status view is built from. */
export interface StatusParts {
  installation: InstallationRow;
  meterSerial: string;
  device: DeviceRow | null;
  heartbeat: DeviceHeartbeatRow | null;
  events: InstallationEvent[];
}

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

export function toStatusJson(parts: StatusParts) {
  const { installation } = parts;
  return {
    session_id: installation.id,
    status: installation.status,
    organization_id: installation.organizationId,
    meter_serial: parts.meterSerial,
    device_id: installation.deviceId,
    pairing: {
      expires_at: installation.pairingExpiresAt.toISOString(),
      expired: installation.pairedAt === null && installation.pairingExpiresAt.getTime() <= Date.now(),
      paired_at: iso(installation.pairedAt),
      failed_attempts: installation.pairingAttempts,
    },
    schedule: installation.schedule ?? null,
    camera: parts.device ? toCameraJson(installation.status, parts.device, parts.heartbeat) : null,
    validation: installation.validation ? toValidationJson(installation.validation) : null,
    failed_checks: installation.failedChecks ?? [],
    config_version: installation.configVersion,
    created_by: installation.createdBy,
    created_at: installation.createdAt.toISOString(),
    completed_by: installation.completedBy,
    completed_at: iso(installation.completedAt),
    updated_at: installation.updatedAt.toISOString(),
    events: parts.events.map(toEventJson),
  };
}

function cameraState(status: InstallationStatus, device: DeviceRow) {
  if (device.revokedAt || status === 'revoked') return 'revoked' as const;
  if (status === 'active') return 'active' as const;
  if (status === 'failed') return 'failed' as const;
  if (status === 'cancelled' || status === 'replaced') return 'released' as const;
  return 'installing' as const;
}

function toCameraJson(status: InstallationStatus, device: DeviceRow, heartbeat: DeviceHeartbeatRow | null) {
  return {
    device_id: device.id,
    state: cameraState(status, device),
    connection: device.status,
    last_seen_at: iso(device.lastSeenAt),
    has_credentials: device.credentialHash !== null,
    revoked_at: iso(device.revokedAt),
    firmware_version: device.firmwareVersion,
    signal_dbm: device.signalDbm,
    last_heartbeat: heartbeat
      ? {
          received_at: heartbeat.receivedAt.toISOString(),
          sent_at: heartbeat.sentAt.toISOString(),
          via: heartbeat.via,
          clock_skew_ms: heartbeat.clockSkewMs,
          clock_synchronized: heartbeat.clockSynchronized,
          last_capture_at: iso(heartbeat.lastCaptureAt),
        }
      : null,
  };
}

function toValidationJson(record: ValidationRecord) {
  return {
    run: record.run,
    status: record.status,
    requested_by: record.requestedBy,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: record.durationMs,
    expected_value: record.expectedValue,
    meter_serial: record.confirmedSerial,
    stages: record.stages.map((stage) => ({
      name: stage.name,
      status: stage.status,
      started_at: stage.startedAt,
      finished_at: stage.finishedAt,
      duration_ms: stage.durationMs,
      skipped_reason: stage.skippedReason,
      checks: stage.checks,
    })),
    image: record.image ? { content_type: record.image.contentType, width: record.image.width, height: record.image.height, captured_at: record.image.capturedAt } : null,
  };
}

function toEventJson(event: InstallationEvent) {
  return {
    type: event.type,
    at: event.at.toISOString(),
    actor: { kind: event.actorKind, user_id: event.actorUserId, username: event.actorUsername, device_id: event.actorDeviceId },
    details: event.details,
  };
}
