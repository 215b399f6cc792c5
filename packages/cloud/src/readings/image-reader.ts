import type { MeterLayout } from '@metervision/protocol';
import type { MeterReadResult } from '@metervision/vision';
import type { Logger } from 'pino';

/** Server-side reading of a meter photo, as `packages/vision`'s MeterReader does it. */
export interface ImageReader {
  read(image: Buffer, layout: MeterLayout): Promise<MeterReadResult>;
  close(): Promise<void>;
}

/** The reader could not be started (the vision package or its OCR data is missing). */
export class ReaderUnavailableError extends Error {
  override name = 'ReaderUnavailableError';
}

interface VisionModule {
  MeterReader?: {
    create(options?: { workers?: number; logger?: Logger }): Promise<ImageReader>;
  };
}

/**
 * Creates a reader that starts `packages/vision`'s MeterReader on first use, so the OCR workers
 * cost nothing until a photo is uploaded, and terminates them on close.
 */
export function createLazyImageReader(options: { workers: number; logger: Logger }): ImageReader {
  let started: Promise<ImageReader> | null = null;

  const start = async (): Promise<ImageReader> => {
    const vision = (await import('@metervision/vision')) as VisionModule;
    if (!vision.MeterReader) throw new ReaderUnavailableError('The vision package does not provide MeterReader');

    options.logger.info({ workers: options.workers }, 'starting the meter reader');
    return vision.MeterReader.create({ workers: options.workers, logger: options.logger });
  };

  return {
    read: async (image, layout) => {
      started ??= start();
      const reader = await started.catch((error: unknown) => {
        started = null;
        throw error instanceof ReaderUnavailableError ? error : new ReaderUnavailableError('The meter reader failed to start', { cause: error });
      });
      return reader.read(image, layout);
    },
    close: async () => {
      const pending = started;
      started = null;
      if (pending) await (await pending.catch(() => null))?.close();
    },
  };
}
