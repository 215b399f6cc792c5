import type { SourceConfig } from '../config/schema.ts';
import { createFolderSource } from './folder.ts';
import { createHttpSource } from './http.ts';
import { createRpicamSource } from './rpicam.ts';
import { createSimulatorSource } from './simulator.ts';
import type { CaptureSource, SeenFiles } from './types.ts';

export type { CapturedImage, CaptureSource, SeenFiles } from './types.ts';
export { captureWithRetry, isIdle } from './retry.ts';

/** Builds the capture source the configuration names. */
export function createCaptureSource(config: SourceConfig, options: { seen: SeenFiles }): CaptureSource {
  switch (config.type) {
    case 'rpicam':
      return createRpicamSource(config);
    case 'http':
      return createHttpSource(config);
    case 'folder':
      return createFolderSource(config, { seen: options.seen });
    case 'simulator':
      return createSimulatorSource(config);
  }
}
