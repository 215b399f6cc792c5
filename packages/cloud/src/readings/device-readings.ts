import type { ReadingMessage } from '@metervision/protocol';
import { isDataException } from '../db/errors.ts';
import type { DeviceRow } from '../devices/devices.repo.ts';
import type { Repositories } from '../repositories.ts';
import type { EvidenceStore } from './evidence.ts';

/** Result of storing one reading message. */
export type ReadingOutcome =
  /** Stored under the device's meter. */
  | { kind: 'stored'; meterId: number }
  /** Stored attached to the device, which is bound to no meter. */
  | { kind: 'unassigned' }
  /** The reading id is stored already, under a meter or a device (a QoS 1 redelivery). */
  | { kind: 'duplicate' };

export interface DeviceReadingDeps {
  repos: Repositories;
  evidence: EvidenceStore;
}

/**
 * Stores a reading a device published, once per reading id across meter readings and unassigned
 * readings. A device bound to a meter gets it stored under that meter. A device bound to no meter
 * (its installation not completed) gets it stored attached to itself, in `unassigned_readings`.
 * Those rows never move onto a meter later, because no validated installation vouched for them.
 * A redelivery that arrives after the device was bound therefore stays a duplicate.
 */
export async function storeDeviceReading(deps: DeviceReadingDeps, reading: ReadingMessage, device: DeviceRow): Promise<ReadingOutcome> {
  const { readings, unassignedReadings } = deps.repos;
  if ((await readings.exists(reading.readingId)) || (await unassignedReadings.exists(reading.readingId))) return { kind: 'duplicate' };

  const meterId = device.meterId;
  const imagePath = await saveImage(deps.evidence, reading, device);
  const row = { id: reading.readingId, organizationId: device.organizationId, deviceId: device.id, ...resultColumns(reading), imagePath };

  try {
    if (meterId === null) {
      const stored = await unassignedReadings.insertOnce({ ...row, reportedMeterSerial: reading.meterSerial ?? null });
      return stored ? { kind: 'unassigned' } : { kind: 'duplicate' };
    }
    const stored = await readings.insertOnce({ ...row, meterId, source: 'device' });
    return stored ? { kind: 'stored', meterId } : { kind: 'duplicate' };
  } catch (error) {
    // Values the database can never hold leave no row pointing at the image. After any other
    // failure the redelivery writes the same path again, and a concurrent copy may need it.
    if (imagePath && isDataException(error)) await deps.evidence.remove(imagePath).catch(() => undefined);
    throw error;
  }
}

function saveImage(evidence: EvidenceStore, reading: ReadingMessage, device: DeviceRow): Promise<string | null> {
  if (!reading.image) return Promise.resolve(null);

  const bytes = Buffer.from(reading.image.data, 'base64');
  if (device.meterId === null) return evidence.saveForDevice(device.organizationId, device.id, reading.readingId, reading.image.contentType, bytes);
  return evidence.save(device.organizationId, device.meterId, reading.readingId, reading.image.contentType, bytes);
}

/** Maps a reading message received now to the columns both reading tables share. */
function resultColumns(reading: ReadingMessage) {
  return {
    status: reading.status,
    value: reading.value,
    text: reading.text,
    rawValue: reading.rawValue,
    rawText: reading.rawText,
    unit: reading.unit,
    confidence: reading.confidence,
    reasonCode: reading.reasonCode ?? null,
    reason: reading.reason ?? null,
    digits: reading.digits,
    pointers: reading.pointers,
    quality: reading.quality ?? null,
    configVersion: reading.configVersion,
    processingMs: reading.processingMs ?? null,
    capturedAt: new Date(reading.capturedAt),
    receivedAt: new Date(),
    imageContentType: reading.image?.contentType ?? null,
  };
}
