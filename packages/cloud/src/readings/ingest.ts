import { decodePayload, type HeartbeatMessage, type ReadingMessage, type StatusMessage, type TopicKind } from '@metervision/protocol';
import type { Logger } from 'pino';
import type { DeviceMessage, DeviceMessageHandler } from '../broker/bus.ts';
import type { DeviceRow } from '../devices/devices.repo.ts';
import { startLivenessSweep, type LivenessOptions } from '../devices/liveness.ts';
import type { Repositories } from '../repositories.ts';
import type { EvidenceStore } from './evidence.ts';

/** Counts of what ingestion did since start. */
export interface IngestCounters {
  received: number;
  readingsStored: number;
  /** Readings whose id was already stored (a QoS 1 redelivery). */
  duplicates: number;
  heartbeats: number;
  statusChanges: number;
  /** Payloads that failed validation; dropped. */
  invalid: number;
  /** Valid messages that could not be attributed (unknown device, device without meter); dropped. */
  dropped: number;
}

/** Handles one more kind of device message (images, config reports …) after validation by the caller. */
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

/**
 * Stores what devices publish: readings once per reading id with their image evidence,
 * heartbeats and status as device health. Invalid payloads are logged and dropped with a
 * counter; only storage failures reject, so the broker does not acknowledge them.
 */
export function createIngestion(deps: { repos: Repositories; evidence: EvidenceStore; logger: Logger; liveness?: Partial<LivenessOptions> }): Ingestion {
  const logger = deps.logger.child({ module: 'ingest' });
  const liveness = startLivenessSweep(deps.repos.devices, logger, deps.liveness);
  const counters: IngestCounters = { received: 0, readingsStored: 0, duplicates: 0, heartbeats: 0, statusChanges: 0, invalid: 0, dropped: 0 };
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

    switch (message.kind) {
      case 'readings':
        return storeReading(message, device);
      case 'heartbeat':
        return storeHeartbeat(message, device);
      case 'status':
        return storeStatus(message, device);
      default:
        for (const handler of extra.get(message.kind) ?? []) await handler(message, device);
    }
  };

  const decode = <K extends 'readings' | 'heartbeat' | 'status'>(kind: K, message: DeviceMessage) => {
    const decoded = decodePayload(kind, message.payload);
    if (decoded.ok) return decoded.value;
    counters.invalid++;
    logger.warn({ deviceId: message.deviceId, kind, bytes: message.payload.length, issues: decoded.issues.slice(0, 5) }, 'invalid payload dropped');
    return null;
  };

  const storeReading = async (message: DeviceMessage, device: DeviceRow): Promise<void> => {
    const reading = decode('readings', message) as ReadingMessage | null;
    if (!reading) return;
    if (device.meterId === null) {
      counters.dropped++;
      logger.warn({ deviceId: device.id, readingId: reading.readingId }, 'reading from a device without a meter dropped');
      return;
    }

    if (await deps.repos.readings.exists(reading.readingId)) {
      counters.duplicates++;
      logger.debug({ deviceId: device.id, readingId: reading.readingId }, 'duplicate reading ignored');
      return;
    }

    const meter = reading.meterSerial ? await deps.repos.meters.findById(device.meterId) : null;
    if (reading.meterSerial && meter && reading.meterSerial !== meter.serialNumber) {
      logger.warn({ deviceId: device.id, readingId: reading.readingId, reported: reading.meterSerial, registered: meter.serialNumber }, 'reading names another meter; stored under the registered one');
    }

    const imagePath = reading.image
      ? await deps.evidence.save(device.organizationId, device.meterId, reading.readingId, reading.image.contentType, Buffer.from(reading.image.data, 'base64'))
      : null;

    const stored = await deps.repos.readings.insertOnce({
      id: reading.readingId,
      organizationId: device.organizationId,
      meterId: device.meterId,
      deviceId: device.id,
      source: 'device',
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
      imagePath,
      imageContentType: reading.image?.contentType ?? null,
    });

    if (stored) counters.readingsStored++;
    else counters.duplicates++;
    await deps.repos.devices.markSeen(device.id, 'online');
    logger.debug({ deviceId: device.id, readingId: reading.readingId, status: reading.status, stored }, 'reading ingested');
  };

  const storeHeartbeat = async (message: DeviceMessage, device: DeviceRow): Promise<void> => {
    const heartbeat = decode('heartbeat', message) as HeartbeatMessage | null;
    if (!heartbeat) return;

    await deps.repos.devices.saveHeartbeat(device.id, heartbeat, 'mqtt');
    counters.heartbeats++;
  };

  const storeStatus = async (message: DeviceMessage, device: DeviceRow): Promise<void> => {
    const status = decode('status', message) as StatusMessage | null;
    if (!status) return;

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
