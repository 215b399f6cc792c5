/**
 * Installation session life cycle.
 *
 * - `awaiting_pairing`: started; the pairing code waits to be redeemed by the camera.
 * - `paired`: the camera redeemed the code and holds MQTT credentials.
 * - `validating`: the 4-stage validation runs in the background.
 * - `validated` / `validation_failed`: outcome of the latest validation; both may validate again.
 * - `active` / `failed`: completed; closed.
 * - `cancelled`: a newer session for the same meter or camera replaced this one before completion.
 * - `replaced`: was active until a newer installation of the same meter or camera became active.
 * - `revoked`: the camera's credentials were revoked through this session.
 */
export const INSTALLATION_STATUSES = [
  'awaiting_pairing',
  'paired',
  'validating',
  'validated',
  'validation_failed',
  'active',
  'failed',
  'cancelled',
  'replaced',
  'revoked',
] as const;
export type InstallationStatus = (typeof INSTALLATION_STATUSES)[number];

/** Sessions still in progress: a newer session for the same meter or camera cancels them. */
export const OPEN_STATUSES: readonly InstallationStatus[] = ['awaiting_pairing', 'paired', 'validating', 'validated', 'validation_failed'];

/** The four validation stages, in the order they run. */
export const STAGE_NAMES = ['connectivity', 'image_quality', 'recognition', 'verification'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type CheckStatus = 'passed' | 'warning' | 'failed';
export type StageStatus = 'pending' | 'running' | CheckStatus | 'skipped';

/** Accepted range or value of a check; a bound that is absent is not checked. */
export interface CheckThreshold {
  min?: number;
  max?: number;
  equals?: string | number;
  /** A limit that is not one number, in words, for example `at least 320x240`. */
  text?: string;
}

/** One measured fact of a validation stage and what the installer should do about it. */
export interface Check {
  /** Stable id, for example `brightness` or `heartbeat_recent`. */
  id: string;
  status: CheckStatus;
  /** Measured value; null when nothing could be measured. */
  measured: number | string | boolean | null;
  threshold: CheckThreshold | null;
  /** Unit of `measured` and `threshold`, for example `dBm` or `ms`; null when unitless. */
  unit: string | null;
  /** What was found, in one sentence. */
  message: string;
  /** What to change on site; null when the check passed. */
  advice: string | null;
}

export interface StageRecord {
  name: StageName;
  status: StageStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  checks: Check[];
  /** Why the stage did not run; null when it ran. */
  skippedReason: string | null;
}

/** The image the camera sent for the validation, kept as evidence. */
export interface ValidationImage {
  /** Path in the evidence store. */
  path: string;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  capturedAt: string;
}

/** One validation run with every stage, stored with the session and shown by the status route. */
export interface ValidationRecord {
  run: number;
  status: 'running' | 'passed' | 'failed';
  requestedBy: number | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Value the installer read on the meter, compared in the verification stage. */
  expectedValue: number | null;
  /** Serial number the installer read on the meter's plate. */
  confirmedSerial: string | null;
  stages: StageRecord[];
  image: ValidationImage | null;
}

export type ActorKind = 'user' | 'device' | 'system';

/** Steps recorded in the session's event log. */
export type InstallationEventType =
  | 'started'
  | 'cancelled'
  | 'paired'
  | 'pairing_rejected'
  | 'validation_requested'
  | 'stage_finished'
  | 'validation_finished'
  | 'completed'
  | 'config_published'
  | 'replaced'
  | 'revoked';
