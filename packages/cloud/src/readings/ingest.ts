import { decodePayload, type HeartbeatMessage, type PayloadIssue, type ReadingMessage, type StatusMessage, type TopicKind } from '@metervision/protocol';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from '@metervision/vision';
import type { Logger } from 'pino';
import type { DeviceMessage, DeviceMessageHandler } from '../broker/bus.ts';
import { describeDatabaseError, isDataException } from '../db/errors.ts';
import type { DeviceRow } from '../devices/devices.repo.ts';
import { startLivenessSweep, type LivenessOptions } from '../devices/liveness.ts';
import type { Repositories } from '../repositories.ts';
import { storeDeviceReading } from './device-readings.ts';
import type { EvidenceStore } from './evidence.ts';

/** Counts of what ingestion did since start. */
export interface IngestCounters {
  received: number;
  /** Readings stored under the meter of their device. */
  readingsStored: number;
  /**
   * Readings from a device bound to no meter (installation not completed), stored attached to
   * the device in `unassigned_readings` and left out of meter readings.
   */
  readingsUnassigned: number;
  /** Readings whose id was already stored (a QoS 1 redelivery). */
  duplicates: number;
  /** Readings stored without their image, because the image failed the checks of an upload. */
  imagesRejected: number;
  heartbeats: number;
  statusChanges: number;
  /**
   * Payloads that are not JSON, fail their protocol schema, or hold a value the database cannot
   * store. They are acknowledged and dropped, because a device would resend a rejected message forever.
   */
  invalid: number;
  /** Valid messages from a device that is no longer registered; acknowledged and dropped. */
  dropped: number;
}

/** Handles one more kind of device message (images, config reports …); called only with a payload valid for its kind. */
export type ExtraHandler = (message: DeviceMessage, device: DeviceRow) => Promise<void>;

export interface Ingestion {
  handle: DeviceMessageHandler;
  readonly counters: Readonly<IngestCounters>;
  /** Adds a handler for a topic kind ingestion does not store itself. */
  on(kind: TopicKind, handler: ExtraHandler): void;
  /**
   * Stops the liveness sweep and resolves when every message being handled now is stored; call
   * it before closing the database.
   */
  drain(): Promise<void>;
}

export interface IngestionDeps {
  repos: Repositories;
  evidence: EvidenceStore;
  logger: Logger;
  liveness?: Partial<LivenessOptions>;
  /** Largest reading image in pixels, checked before decoding. Default MAX_IMAGE_PIXELS (40 million), as for uploads. */
  maxImagePixels?: number;
}

/**
 * Stores what devices publish: readings once per reading id with their image evidence (under
 * the device's meter, or attached to a device bound to no meter), heartbeats and status as
 * device health. Every payload is validated with its protocol schema first. Invalid payloads
 * are logged once and counted, and `handle` resolves for them so the broker acknowledges them:
 * MQTT 3.1.1 has no negative PUBACK. Only storage failures that a retry may cure reject, so the
 * device sends the message again.
 */
export function createIngestion(deps: IngestionDeps): Ingestion {
  const logger = deps.logger.child({ module: 'ingest' });
  const liveness = startLivenessSweep(deps.repos.devices, logger, deps.liveness);
  const readingDeps = { repos: deps.repos, evidence: deps.evidence, imageLimits: { maxBytes: MAX_IMAGE_BYTES, maxPixels: deps.maxImagePixels ?? MAX_IMAGE_PIXELS } };
  const counters: IngestCounters = { received: 0, readingsStored: 0, readingsUnassigned: 0, duplicates: 0, imagesRejected: 0, heartbeats: 0, statusChanges: 0, invalid: 0, dropped: 0 };
  const extra = new Map<TopicKind, ExtraHandler[]>();
  const inFlight = new Set<Promise<void>>();

  const process = async (message: DeviceMessage): Promise<void> => {
    counters.received++;
    const device = await deps.repos.devices.findById(message.deviceId);
    if (!device) {
      counters.dropped++;
      logger.warn({ deviceId: message.deviceId, kind: message.kind }, 'message from an unregistered device dropped');
      return;
    }

    const decoded = decodePayload(message.kind, message.payload);
    if (!decoded.ok) return dropInvalid(message, decoded.issues);

    try {
      await dispatch(message, decoded.value, device);
    } catch (error) {
      if (!isDataException(error)) throw error;
      const { message: reason, code } = describeDatabaseError(error);
      dropInvalid(message, [{ path: '', message: `the database rejected a value (${code}): ${reason}` }]);
    }
  };

  const dropInvalid = (message: DeviceMessage, issues: PayloadIssue[]): void => {
    counters.invalid++;
    logger.warn({ deviceId: message.deviceId, kind: message.kind, bytes: message.payload.length, issues: issues.slice(0, 5) }, 'invalid payload acknowledged and dropped');
  };

  const dispatch = async (message: DeviceMessage, payload: unknown, device: DeviceRow): Promise<void> => {
    switch (message.kind) {
      case 'readings':
        return storeReading(payload as ReadingMessage, device);
      case 'heartbeat':
        return storeHeartbeat(payload as HeartbeatMessage, device);
      case 'status':
        return storeStatus(payload as StatusMessage, device);
      default:
        for (const handler of extra.get(message.kind) ?? []) await handler(message, device);
    }
  };

  const storeReading = async (reading: ReadingMessage, device: DeviceRow): Promise<void> => {
    const outcome = await storeDeviceReading(readingDeps, reading, device);
    await deps.repos.devices.markSeen(device.id, 'online');

    if (outcome.kind === 'duplicate') {
      counters.duplicates++;
      logger.debug({ deviceId: device.id, readingId: reading.readingId }, 'duplicate reading ignored');
      return;
    }
    if (outcome.rejectedImage) {
      const { problem, message, cause } = outcome.rejectedImage;
      counters.imagesRejected++;
      logger.warn(
        { deviceId: device.id, readingId: reading.readingId, contentType: reading.image?.contentType, problem, reason: message, detail: (cause as Error | undefined)?.message },
        'invalid reading image dropped; reading stored without it',
      );
    }
    if (outcome.kind === 'unassigned') {
      counters.readingsUnassigned++;
      logger.warn({ deviceId: device.id, readingId: reading.readingId }, 'reading from a device without a meter stored as unassigned');
      return;
    }

    counters.readingsStored++;
    logger.debug({ deviceId: device.id, readingId: reading.readingId, status: reading.status }, 'reading ingested');
    if (!reading.meterSerial) return;
    const meter = await deps.repos.meters.findById(outcome.meterId);
    if (meter && reading.meterSerial !== meter.serialNumber) {
      logger.warn({ deviceId: device.id, readingId: reading.readingId, reported: reading.meterSerial, registered: meter.serialNumber }, 'reading names another meter; stored under the registered one');
    }
  };

  const storeHeartbeat = async (heartbeat: HeartbeatMessage, device: DeviceRow): Promise<void> => {
    await deps.repos.devices.saveHeartbeat(device.id, heartbeat, 'mqtt');
    counters.heartbeats++;
  };

  const storeStatus = async (status: StatusMessage, device: DeviceRow): Promise<void> => {
    await deps.repos.devices.markSeen(device.id, status.state);
    counters.statusChanges++;
    logger.info({ deviceId: device.id, state: status.state, reason: status.reason }, 'device status changed');
  };

  return {
    counters,
    handle: (message) => {
      const work = process(message);
      inFlight.add(work);
      return work.finally(() => inFlight.delete(work));
    },
    on: (kind, handler) => {
      extra.set(kind, [...(extra.get(kind) ?? []), handler]);
    },
    drain: async () => {
      await liveness.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
