import type { CaptureSettings } from '@metervision/protocol';

/** One image from a capture source. */
export interface CapturedImage {
  image: Buffer;
  /** Origin for errors and logs: a file path, a URL without credentials, or a command. */
  origin: string;
  /** Device clock when the image was taken (for a folder: when it was picked up). */
  capturedAt: Date;
  /**
   * Marks the image as consumed (a folder source in `each` mode remembers the file). The
   * pipeline calls it inside the transaction that queues the reading, so a crash in between
   * reads the image again instead of losing it.
   */
  commit?: () => void;
}

/** A camera or other origin of meter images. */
export interface CaptureSource {
  /** Short description for logs, for example `folder /srv/meter (newest)`. */
  readonly description: string;
  /** Takes one image. Throws a `CaptureError` naming the origin and the problem. */
  capture(settings: CaptureSettings, signal?: AbortSignal): Promise<CapturedImage>;
}

/** Remembers which files a folder source in `each` mode has consumed; backed by the state store. */
export interface SeenFiles {
  has(key: string): boolean;
  add(key: string): void;
}

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Returns whether `bytes` start like a JPEG or PNG file. Decoding errors are found later by vision. */
export function looksLikeImage(bytes: Buffer): boolean {
  return bytes.subarray(0, 3).equals(JPEG_MAGIC) || bytes.subarray(0, 8).equals(PNG_MAGIC);
}

/** Describes the first bytes of a response that is no image, for an error message. */
export function describeBytes(bytes: Buffer): string {
  const head = bytes.subarray(0, 24).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${bytes.length} bytes starting with "${head}"`;
}
