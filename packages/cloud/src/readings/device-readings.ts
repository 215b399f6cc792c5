import type { ReadingMessage } from '@metervision/protocol';
import { isDataException } from '../db/errors.ts';
import type { DeviceRow } from '../devices/devices.repo.ts';
import type { Repositories } from '../repositories.ts';
import type { EvidenceStore } from './evidence.ts';
import { checkImage, InvalidImageError, type ImageLimits } from './image-check.ts';

/**
 * Result of storing one reading message. `rejectedImage` is the failed check when the reading
 * carried an image that is not a valid one, so the reading was stored without it.
 */
export type ReadingOutcome =
  /** Stored under the device's meter. */
  | { kind: 'stored'; meterId: number; rejectedImage: InvalidImageError | null }
  /** Stored attached to the device, which is bound to no meter. */
  | { kind: 'unassigned'; rejectedImage: InvalidImageError | null }
  /** The reading id is stored already, under a meter or a device (a QoS 1 redelivery). */
  | { kind: 'duplicate' };

export interface DeviceReadingDeps {
  repos: Repositories;
  evidence: EvidenceStore;
  /** Limits for device images. The protocol already caps an embedded image at 2 MiB. */
  imageLimits: Omit<ImageLimits, 'contentType'>;
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
  const { imagePath, rejectedImage } = await saveImage(deps, reading, device);
  const imageContentType = imagePath ? reading.image!.contentType : null;
  const row = { id: reading.readingId, organizationId: device.organizationId, deviceId: device.id, ...resultColumns(reading), imagePath, imageContentType };

  try {
    if (meterId === null) {
      const stored = await unassignedReadings.insertOnce({ ...row, reportedMeterSerial: reading.meterSerial ?? null });
      return stored ? { kind: 'unassigned', rejectedImage } : { kind: 'duplicate' };
    }
    const stored = await readings.insertOnce({ ...row, meterId, source: 'device' });
    return stored ? { kind: 'stored', meterId, rejectedImage } : { kind: 'duplicate' };
  } catch (error) {
    // Values the database can never hold leave no row pointing at the image. After any other
    // failure the redelivery writes the same path again, and a concurrent copy may need it.
    if (imagePath && isDataException(error)) await deps.evidence.remove(imagePath).catch(() => undefined);
    throw error;
  }
}

/**
 * Checks the reading's image like an upload (format found in the bytes and equal to the declared
 * content type, pixel limit, full decode) and stores it when valid. An invalid image is not
 * stored and comes back as `rejectedImage`, because the reading itself is still worth keeping.
 */
async function saveImage(deps: DeviceReadingDeps, reading: ReadingMessage, device: DeviceRow): Promise<{ imagePath: string | null; rejectedImage: InvalidImageError | null }> {
  if (!reading.image) return { imagePath: null, rejectedImage: null };

  const { contentType } = reading.image;
  const bytes = Buffer.from(reading.image.data, 'base64');
  try {
    await checkImage(bytes, { ...deps.imageLimits, contentType });
  } catch (error) {
    if (error instanceof InvalidImageError) return { imagePath: null, rejectedImage: error };
    throw error;
  }

  const imagePath =
    device.meterId === null
      ? await deps.evidence.saveForDevice(device.organizationId, device.id, reading.readingId, contentType, bytes)
      : await deps.evidence.save(device.organizationId, device.meterId, reading.readingId, contentType, bytes);
  return { imagePath, rejectedImage: null };
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
  };
}
