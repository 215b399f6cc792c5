import sharp from 'sharp';
import type { Database } from '../db/database.ts';
import { InstallationsRepo } from '../installations/installations.repo.ts';
import type { Check, StageRecord, ValidationRecord } from '../installations/types.ts';
import type { SeededOrganization } from '../testing/seed.ts';
import type { EvidenceStore } from '../readings/evidence.ts';
import type { Repositories } from '../repositories.ts';

/** Renders a meter photo matching `SEED_LAYOUT`: five dark wheels with white digits on a 320×120 frame. */
export async function seedMeterPhoto(value: number): Promise<Buffer> {
  const digits = String(Math.floor(value)).padStart(5, '0').slice(-5);
  const wheels = [...digits]
    .map((digit, index) => {
      const x = 20 + index * 56;
      return `<rect x="${x}" y="30" width="48" height="60" fill="#222"/><text x="${x + 24}" y="75" font-size="40" font-family="sans-serif" fill="#fff" text-anchor="middle">${digit}</text>`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#e8e4da"/>${wheels}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

export interface SeededReading {
  id: string;
  value: number;
  capturedAt: Date;
}

/**
 * Stores `count` accepted device readings, one per hour ending an hour ago, with rising values
 * from `startValue` and a photo as evidence, for the organization's seeded meter and camera.
 */
export async function seedReadings(
  repos: Repositories,
  evidence: EvidenceStore,
  organization: SeededOrganization,
  options: { count: number; startValue: number },
): Promise<SeededReading[]> {
  const seeded: SeededReading[] = [];
  const hourMs = 3_600_000;
  const first = Date.now() - options.count * hourMs;

  for (let index = 0; index < options.count; index++) {
    const value = Math.round((options.startValue + index * 1.25) * 100) / 100;
    const capturedAt = new Date(first + index * hourMs);
    const id = `${organization.deviceId}-reading-${index}`;
    const photo = await seedMeterPhoto(value);
    const imagePath = await evidence.save(organization.id, organization.meterId, id, 'image/jpeg', photo);
    const text = String(Math.floor(value)).padStart(5, '0');

    await repos.readings.insertOnce({
      id,
      organizationId: organization.id,
      meterId: organization.meterId,
      deviceId: organization.deviceId,
      source: 'device',
      status: 'accepted',
      value,
      text,
      rawValue: value,
      rawText: text,
      unit: 'm3',
      confidence: 0.9 + (index % 10) / 100,
      digits: [...text].map((digit, position) => ({ name: `d${position}`, value: Number(digit), confidence: 0.95 })),
      pointers: [],
      quality: { brightness: 140, contrast: 52, sharpness: 610, glare: 0.01 },
      capturedAt,
      receivedAt: new Date(capturedAt.getTime() + 2000),
      imagePath,
      imageContentType: 'image/jpeg',
    });
    seeded.push({ id, value, capturedAt });
  }
  return seeded;
}

/** Checks of a validation run as the four stages store them: one of each status and a skipped stage. */
function sampleStages(): StageRecord[] {
  const at = new Date().toISOString();
  const stage = (name: StageRecord['name'], status: StageRecord['status'], checks: Check[], skippedReason: string | null = null): StageRecord => ({
    name,
    status,
    startedAt: at,
    finishedAt: at,
    durationMs: status === 'skipped' ? null : 120,
    checks,
    skippedReason,
  });
  const check = (id: string, status: Check['status'], measured: Check['measured'], threshold: Check['threshold'], unit: string | null, message: string, advice: string | null = null): Check => ({
    id,
    status,
    measured,
    threshold,
    unit,
    message,
    advice,
  });

  return [
    stage('connectivity', 'passed', [
      check('heartbeat_recent', 'passed', 12, { max: 300 }, 's', 'The last heartbeat arrived 12 s ago.'),
      check('signal_strength', 'passed', -61, { min: -80 }, 'dBm', 'The Wi-Fi signal is good.'),
    ]),
    stage('image_quality', 'warning', [
      check('brightness', 'passed', 128, { min: 60, max: 200 }, null, 'The image is well exposed.'),
      check('sharpness', 'warning', 95, { min: 80 }, null, 'The image is barely sharp enough.', 'Clean the lens and check the focus.'),
    ]),
    stage('recognition', 'failed', [
      check('confidence', 'failed', 0.41, { min: 0.6 }, null, 'The digits were read with low confidence.', 'Move the digit ROIs onto the wheels in the layout editor.'),
    ]),
    stage('verification', 'skipped', [], 'Recognition failed, so there is no value to compare.'),
  ];
}

/** Variations of a seeded session: its id suffix and its state. */
export interface SeedInstallationOptions {
  /** Appended to `<device id>-installation`; default none. */
  suffix?: string;
  /** `validation_failed` (default), `validated` (the run passed) or `awaiting_pairing`. */
  status?: 'validation_failed' | 'validated' | 'validating' | 'awaiting_pairing';
}

/**
 * Stores an installation session of the organization's meter and camera whose latest validation
 * failed at the recognition stage, with the camera's image as evidence. Returns its id.
 */
export async function seedInstallation(database: Database, evidence: EvidenceStore, organization: SeededOrganization, options: SeedInstallationOptions = {}): Promise<string> {
  const status = options.status ?? 'validation_failed';
  const id = `${organization.deviceId}-installation${options.suffix ?? ''}`;
  const photo = await seedMeterPhoto(12345);
  const imagePath = await evidence.save(organization.id, organization.meterId, `installation-${id}-run1`, 'image/jpeg', photo);
  const now = new Date();
  const validation: ValidationRecord = {
    run: 1,
    status: status === 'validated' ? 'passed' : 'failed',
    requestedBy: null,
    startedAt: new Date(now.getTime() - 5000).toISOString(),
    finishedAt: now.toISOString(),
    durationMs: 4800,
    expectedValue: 12345,
    confirmedSerial: organization.meterSerial,
    stages: sampleStages(),
    image: { path: imagePath, contentType: 'image/jpeg', width: 320, height: 120, capturedAt: now.toISOString() },
  };

  await new InstallationsRepo(database).create({
    id,
    organizationId: organization.id,
    meterId: organization.meterId,
    deviceId: organization.deviceId,
    status,
    pairingCodeHash: `unused-${id}`,
    pairingExpiresAt: now,
    pairedAt: status === 'awaiting_pairing' ? null : now,
    expectedValue: 12345,
    validation,
    validationRuns: 1,
    validationStartedAt: new Date(now.getTime() - 5000),
  });
  return id;
}
