import { encodePayload, scheduleSchema, topics, type Schedule } from '@metervision/protocol';
import type { MeterRow } from '../assets/meters.repo.ts';
import type { MessageBus } from '../broker/bus.ts';

/**
 * Publishes the retained configuration that makes a paired camera read its meter on schedule:
 * the meter's layout, serial number and plausibility rules, and the session's schedule. The
 * camera applies it when `version` is higher than the one it runs and reports on `config/report`.
 */
export async function publishDeviceConfig(bus: MessageBus, deviceId: string, meter: MeterRow, version: number, schedule: Schedule | null): Promise<void> {
  if (!meter.layout) throw new Error(`meter ${meter.serialNumber} has no layout, so camera ${deviceId} cannot be configured`);

  const payload = encodePayload('config', {
    v: 1,
    version,
    meterSerial: meter.serialNumber,
    layout: meter.layout,
    schedule: schedule ?? scheduleSchema.parse({}),
    ...(meter.plausibility ? { plausibility: meter.plausibility } : {}),
  });
  await bus.publish(topics.config(deviceId), payload, { qos: 1, retain: true });
}
