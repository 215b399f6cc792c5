import type { MeterLayout } from '@metervision/protocol';
import { MeterReader, type MeterReadResult } from '@metervision/vision';
import type { Logger } from 'pino';

/** Server-side reading of a meter photo, as `packages/vision`'s MeterReader does it. */
export interface ImageReader {
  read(image: Buffer, layout: MeterLayout): Promise<MeterReadResult>;
  close(): Promise<void>;
}

/** The reader could not be started (for example the OCR data is missing). */
export class ReaderUnavailableError extends Error {
  override name = 'ReaderUnavailableError';
}

/**
 * Creates a reader that starts `packages/vision`'s MeterReader on first use, so the OCR workers
 * cost nothing until a photo is uploaded, and terminates them on close.
 */
export function createLazyImageReader(options: { workers: number; logger: Logger }): ImageReader {
  let started: Promise<MeterReader> | null = null;

  const start = (): Promise<MeterReader> => {
    options.logger.info({ workers: options.workers }, 'starting the meter reader');
    return MeterReader.create({ workers: options.workers, logger: options.logger });
  };

  return {
    read: async (image, layout) => {
      started ??= start();
      const reader = await started.catch((error: unknown) => {
        started = null;
        options.logger.error({ err: (error as Error).message }, 'meter reader failed to start');
        throw new ReaderUnavailableError('The meter reader failed to start', { cause: error });
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
