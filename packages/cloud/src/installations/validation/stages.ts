import type { MeterReadResult } from '@metervision/vision';
import type { MeterRow } from '../../assets/meters.repo.ts';
import type { MessageBus } from '../../broker/bus.ts';
import type { DevicesRepo } from '../../devices/devices.repo.ts';
import type { EvidenceStore } from '../../readings/evidence.ts';
import type { ImageLimits } from '../../readings/image-check.ts';
import type { ImageReader } from '../../readings/image-reader.ts';
import type { InstallationRow } from '../installations.repo.ts';
import type { InstallationSettings } from '../settings.ts';
import type { Check, StageName, ValidationImage } from '../types.ts';
import { CaptureError, requestImage } from './capture.ts';
import { makeCheck } from './checks.ts';
import { connectivityChecks } from './connectivity.ts';
import { imageQualityChecks } from './image-quality.ts';
import { recognitionChecks } from './recognition.ts';
import { verificationChecks } from './verification.ts';

/** Cloud services the stages use. */
export interface StageDeps {
  devices: DevicesRepo;
  bus: MessageBus | null;
  reader: ImageReader;
  evidence: EvidenceStore;
  settings: InstallationSettings;
  /** Limits of the image the camera sends for validation, as for the images of its readings. */
  imageLimits: Omit<ImageLimits, 'contentType'>;
}

/** One validation run's inputs and what earlier stages found, for the later ones. */
export interface StageContext {
  installation: InstallationRow;
  meter: MeterRow;
  run: number;
  expectedValue: number | null;
  confirmedSerial: string | null;
  image: { bytes: Buffer; size: { width: number; height: number }; evidence: ValidationImage } | null;
  reading: MeterReadResult | null;
  /** Signal aborted when the run is abandoned at shutdown, so a wait for the camera ends at once. */
  signal: AbortSignal;
}

export type Stage = (context: StageContext, deps: StageDeps) => Promise<Check[]>;

const CAPTURE_ADVICE: Record<CaptureError['code'], string> = {
  timeout: 'Check that the camera is online and its software answers the send_image command; restart it and validate again.',
  camera_failed: 'The camera could not take a picture: check the camera module, its cable and the capture settings.',
  no_broker: 'The cloud runs without its MQTT broker: an operator has to start it with the broker enabled.',
  invalid_image_message: 'Update the camera software: its image message does not follow the protocol.',
  aborted: 'Validate again once the cloud is running.',
};

async function connectivity(context: StageContext, deps: StageDeps): Promise<Check[]> {
  const device = await deps.devices.findById(context.installation.deviceId);
  if (!device) throw new Error(`device ${context.installation.deviceId} of installation ${context.installation.id} no longer exists`);

  const heartbeat = await deps.devices.latestHeartbeat(device.id);
  return connectivityChecks({ device, heartbeat, now: new Date(), settings: deps.settings });
}

async function imageQuality(context: StageContext, deps: StageDeps): Promise<Check[]> {
  let captured;
  try {
    captured = await requestImage(deps.bus, context.installation.deviceId, deps.settings.imageTimeoutMs, context.signal);
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    return [makeCheck('image_received', 'failed', { measured: false, threshold: { max: deps.settings.imageTimeoutMs }, unit: 'ms', message: `No image: ${error.message}.`, advice: CAPTURE_ADVICE[error.code] })];
  }

  const received = makeCheck('image_received', 'passed', {
    measured: captured.roundTripMs,
    threshold: { max: deps.settings.imageTimeoutMs },
    unit: 'ms',
    message: `The camera sent a fresh image ${captured.roundTripMs} ms after the request.`,
  });
  const { image, capturedAt } = captured.message;
  const contentType = image.contentType;
  const outcome = await imageQualityChecks(captured.bytes, contentType, deps.settings, deps.imageLimits);
  if (outcome.size) {
    const name = `installation-${context.installation.id}-run${context.run}`;
    const path = await deps.evidence.save(context.installation.organizationId, context.meter.id, name, contentType, captured.bytes);
    context.image = { bytes: captured.bytes, size: outcome.size, evidence: { path, contentType, capturedAt, ...outcome.size } };
  }
  return [received, ...outcome.checks];
}

async function recognition(context: StageContext, deps: StageDeps): Promise<Check[]> {
  const image = context.image!;
  const outcome = await recognitionChecks(deps.reader, image.bytes, image.size, context.meter.layout ?? null, deps.settings);
  context.reading = outcome.result;
  return outcome.checks;
}

async function verification(context: StageContext, deps: StageDeps): Promise<Check[]> {
  return verificationChecks({
    readValue: context.reading!.value!,
    unit: context.meter.layout?.unit ?? context.meter.unit,
    expectedValue: context.expectedValue,
    tolerance: deps.settings.valueTolerance,
    meterSerial: context.meter.serialNumber,
    confirmedSerial: context.confirmedSerial,
  });
}

/** The stages in the order they run; a stage runs only when every earlier one did not fail. */
export const STAGES: Record<StageName, Stage> = {
  connectivity,
  image_quality: imageQuality,
  recognition,
  verification,
};
