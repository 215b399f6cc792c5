import { randomUUID } from 'node:crypto';
import type { ImageMessage } from '@metervision/protocol';
import sharp from 'sharp';
import type { CapturedImage } from './capture/index.ts';
import { encodeJpeg } from './evidence.ts';

/** Largest image the protocol embeds, in bytes of JPEG. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** Widths tried, largest first, until the JPEG fits in {@link MAX_IMAGE_BYTES}. */
const FALLBACK_WIDTHS = [1920, 1280, 800];

/**
 * Builds the `images` message with the full camera image, for ROI editing and validation. The
 * original bytes go out when they are a JPEG or PNG of at most 2 MiB; larger images are scaled
 * down until they fit.
 */
export async function buildImageMessage(captured: CapturedImage, commandId?: string): Promise<ImageMessage> {
  const metadata = await sharp(captured.image).metadata();
  const format = metadata.format;
  let bytes = captured.image;
  let contentType: 'image/jpeg' | 'image/png' = format === 'png' ? 'image/png' : 'image/jpeg';
  let width = metadata.width ?? 0;
  let height = metadata.height ?? 0;

  if (bytes.length > MAX_IMAGE_BYTES || (format !== 'jpeg' && format !== 'png')) {
    contentType = 'image/jpeg';
    for (const maxWidth of FALLBACK_WIDTHS) {
      bytes = await encodeJpeg(captured.image, maxWidth, 85);
      if (bytes.length <= MAX_IMAGE_BYTES) break;
    }
    const scaled = await sharp(bytes).metadata();
    width = scaled.width ?? width;
    height = scaled.height ?? height;
  }

  return {
    v: 1,
    imageId: randomUUID(),
    commandId,
    capturedAt: captured.capturedAt.toISOString(),
    width,
    height,
    image: { contentType, data: bytes.toString('base64') },
  };
}
